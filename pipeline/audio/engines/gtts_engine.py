"""gTTS: Google Translate's voice. Online only; transient failures are retried with backoff.

A 429 (rate limit), a 5xx or a timeout is worth retrying; anything else (a 4xx, a response with
no audio in it) fails at once. The final failure is an EngineError the build turns into a line
naming the episode and sentence; the clip cache only ever receives complete audio.
"""

from __future__ import annotations

import io
import logging

import numpy as np

from ...config import Voice
from ...errors import EngineError
from . import Engine, VoiceInfo

log = logging.getLogger(__name__)
SAMPLE_RATE = 24000


class _Failure(Exception):
    def __init__(self, reason: str, transient: bool):
        super().__init__(reason)
        self.transient = transient


class GttsEngine(Engine):
    name = "gtts"
    offline = False
    supports_phonemes = False
    sample_rate = SAMPLE_RATE

    def __init__(self, voice: Voice):
        try:
            import gtts  # noqa: F401
        except ImportError:
            raise EngineError("gTTS is not installed", None, "run 'make setup' or pip install gtts") from None
        self.voice = voice
        self.retries = voice.retries
        self.backoff = voice.retry_backoff
        self.timeout = voice.timeout
        self.lang = voice.voice if len(voice.voice) <= 5 else "en"

    def identity(self) -> dict:
        return {"engine": "gtts", "lang": self.lang, "tld": self.voice.tld, "slow": self.voice.slow}

    def _fetch(self, text: str) -> bytes:
        """One answer from Google, retried by tenacity on what is worth retrying (429, 5xx, no
        connection, an empty answer), with exponential backoff from voice.retry_backoff."""
        from gtts import gTTS
        from gtts.tts import gTTSError
        from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

        def attempt() -> bytes:
            buf = io.BytesIO()
            try:
                gTTS(text, lang=self.lang, tld=self.voice.tld, slow=self.voice.slow,
                     timeout=self.timeout).write_to_fp(buf)
            except gTTSError as exc:
                status = getattr(getattr(exc, "rsp", None), "status_code", None)
                raise _Failure(f"HTTP {status}" if status else "no connection or timed out",
                               transient=status is None or status == 429 or status >= 500) from None
            except ValueError as exc:  # gTTS rejects text with nothing to say
                raise EngineError(f"gTTS refused the text ({exc})", None, "check the sentence is not empty") from None
            if not buf.getvalue():
                raise _Failure("an empty answer", transient=True)
            return buf.getvalue()

        def before_sleep(state) -> None:
            log.warning("gTTS: %s; retrying in %.1f s", state.outcome.exception(), state.next_action.sleep)

        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=wait_exponential(multiplier=self.backoff, min=self.backoff),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Failure) and exc.transient),
            before_sleep=before_sleep, reraise=False)
        try:
            return retrying(attempt)
        except (_Failure, RetryError) as exc:
            failure = exc.last_attempt.exception() if isinstance(exc, RetryError) else exc
            attempts = retrying.statistics.get("attempt_number", 1)
            raise EngineError(f"gTTS failed after {attempts} attempt(s): {failure}", None,
                              "check the network, wait and rebuild, or use engine = \"piper\" (offline)") from None

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
