"""gTTS: Google Translate's voice. Online only; transient failures are retried with backoff.

A 429 (rate limit), a 5xx or a timeout is worth retrying; anything else (a 4xx, a response with
no audio in it) fails at once. The final failure is an EngineError the build turns into a line
naming the episode and sentence; the clip cache only ever receives complete audio.
"""

from __future__ import annotations

import io
import logging
import time

import numpy as np

from ...config import Voice
from ...errors import EngineError
from . import Engine, VoiceInfo

log = logging.getLogger(__name__)
SAMPLE_RATE = 24000


class GttsEngine(Engine):
    name = "gtts"
    offline = False
    supports_phonemes = False
    sample_rate = SAMPLE_RATE

    def __init__(self, voice: Voice, timeout: float = 20.0):
        try:
            import gtts  # noqa: F401
        except ImportError:
            raise EngineError("gTTS is not installed", None, "run 'make setup' or pip install gtts") from None
        self.voice = voice
        self.retries = voice.retries
        self.backoff = voice.retry_backoff
        self.timeout = timeout
        self.lang = voice.voice if len(voice.voice) <= 5 else "en"

    def identity(self) -> dict:
        return {"engine": "gtts", "lang": self.lang, "tld": self.voice.tld, "slow": self.voice.slow}

    def _fetch(self, text: str) -> bytes:
        from gtts import gTTS
        from gtts.tts import gTTSError

        delay = self.backoff
        for attempt in range(self.retries + 1):
            buf = io.BytesIO()
            try:
                gTTS(text, lang=self.lang, tld=self.voice.tld, slow=self.voice.slow, timeout=self.timeout).write_to_fp(buf)
                data = buf.getvalue()
                if data:
                    return data
                reason, transient = "an empty answer", True
            except gTTSError as exc:
                status = getattr(getattr(exc, "rsp", None), "status_code", None)
                transient = status is None or status == 429 or status >= 500
                reason = f"HTTP {status}" if status else "no connection or timed out"
            except ValueError as exc:  # gTTS rejects text with nothing to say
                raise EngineError(f"gTTS refused the text ({exc})", None, "check the sentence is not empty") from None
            if not transient or attempt == self.retries:
                raise EngineError(f"gTTS failed after {attempt + 1} attempt(s): {reason}", None,
                                  "check the network, wait and rebuild, or use engine = \"piper\" (offline)")
            log.warning("gTTS: %s; retrying in %.1f s", reason, delay)
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def synthesize(self, text: str) -> np.ndarray:
        from ..ffmpeg import decode_bytes

        data = self._fetch(text)
        return decode_bytes(data, SAMPLE_RATE, 1, "gTTS audio")[:, 0]


def gtts_voices() -> list[VoiceInfo]:
    try:
        from gtts.lang import tts_langs

        langs = tts_langs()
    except Exception:
        return [VoiceInfo("gtts", "-", "-", offline=False, usable=False, note="gTTS not installed")]
    return [VoiceInfo("gtts", code, name, offline=False, usable=True, note="needs internet (Google)")
            for code, name in sorted(langs.items()) if code.startswith("en")]


def create(voice: Voice, threads: int | None = None, model_cache=None) -> GttsEngine:
    return GttsEngine(voice)


voices = gtts_voices
