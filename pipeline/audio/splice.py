"""Splicing an edited episode: the MP3 frames and Opus packets before the first changed sentence
are kept, and only the rest is mixed and encoded again.

The join is made in the pause before that sentence, where the mix is digital silence, at an
encoder frame boundary of the old file: the new encoder starts a few frames early on that same
grid (so its first, start-up frames are dropped) and its frames then stand in for the old ones
one for one. Every sample before the join is the old file's; every sample after it is what a
full render would have encoded, so the cues do not move. The containers:

- MP3: the Xing/LAME "Info" frame at the front (frame and byte counts, the seek table, the end
  padding decoders trim for gapless play, and two CRC-16s) is made again as ffmpeg makes it
  (mutagen reads that frame but does not write it); the new frames are encoded without the bit reservoir, so none reaches back into a dropped frame.
- Ogg Opus: pages from the join on are made again (granule positions, sequence numbers), with
  mutagen's OggPage, which reads and writes pages (and their CRC) but has no notion of a join.

Loudness is not measured again over the whole episode: EBU R128's integrated loudness is a gated
mean of 400 ms block loudnesses, so the kept blocks' values (stored at the last render) and the
new tail's give it.
"""

from __future__ import annotations

import base64
import io
import math
import struct
from dataclasses import dataclass

import numpy as np

MP3_FRAME = 1152           # samples per MPEG-1 layer III frame
LAME_DELAY = 576           # the encoder delay LAME writes into its tag (decoders add 529)
DECODER_DELAY = 529
OPUS_RATE = 48000
OPUS_PACKET = 960          # 20 ms, libopus's default frame in ffmpeg
MP3_WARMUP = 3             # frames the new MP3 encoder runs before the join
OPUS_WARMUP = 5            # packets the new Opus encoder runs before the join


def join_grid(rate: int, opus: bool) -> int:
    """Samples (at the output rate) between the points where both encoders begin a frame: an MP3
    frame (1,152 samples) and, with the Opus copy, a 20 ms packet. Every line starts on one, so an
    edit moves the lines after it by whole frames of both, and their old frames can be kept. 0 when
    the frames meet too rarely to place lines on (44.1 kHz with Opus: every 1.28 s)."""
    if rate < 32000:  # MPEG-2 layer III (576-sample frames): not spliced
        return 0
    step = MP3_FRAME
    if opus:
        if OPUS_PACKET * rate % OPUS_RATE:
            return 0
        step = math.lcm(step, OPUS_PACKET * rate // OPUS_RATE)
    return step if step <= 0.15 * rate else 0


class CannotSplice(Exception):
    """The edit cannot be spliced (the old file is not as expected, no silent join): render whole."""


# --- CRCs ----------------------------------------------------------------------------------------

def _crc16_table() -> np.ndarray:
    table = np.zeros(256, dtype=np.uint32)
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table[n] = c
    return table


_CRC16 = _crc16_table()
_CRC16_LIST = [int(v) for v in _CRC16]


def _crc16_py(data: bytes, crc: int = 0) -> int:
    for b in data:
        crc = (crc >> 8) ^ _CRC16_LIST[(crc ^ b) & 0xFF]
    return crc


def _crc16_shift_tables(zeros: int) -> tuple[list[int], list[int]]:
    """The linear map 'append `zeros` zero bytes' on a CRC-16/ARC state, as two byte tables
    (built by squaring the one-byte map: zeros must be a power of two)."""
    def apply(basis: list[int], x: int) -> int:
        out = 0
        for k in range(16):
            if x >> k & 1:
                out ^= basis[k]
        return out

    basis = [(1 << k >> 8) ^ _CRC16_LIST[(1 << k) & 0xFF] for k in range(16)]
    n = 1
    while n < zeros:
        basis = [apply(basis, b) for b in basis]
        n *= 2
    return [apply(basis, b) for b in range(256)], [apply(basis, b << 8) for b in range(256)]


_BLOCK = 2048
_SHIFT = None


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (poly 0x8005 reflected, init 0): the CRC in the LAME tag (ffmpeg's
    AV_CRC_16_ANSI_LE). Long inputs are split into blocks whose CRCs numpy computes side by
    side, then joined with the zero-append map (the CRC is linear for init 0)."""
    global _SHIFT
    if len(data) < 4 * _BLOCK:
        return _crc16_py(data)
    if _SHIFT is None:
        _SHIFT = _crc16_shift_tables(_BLOCK)
    lo, hi = _SHIFT
    arr = np.frombuffer(data, dtype=np.uint8)
    head = len(arr) % _BLOCK
    crc = _crc16_py(bytes(arr[:head]))
    blocks = arr[head:].reshape(-1, _BLOCK)
    states = np.zeros(len(blocks), dtype=np.uint32)
    for j in range(_BLOCK):
        states = (states >> 8) ^ _CRC16[(states ^ blocks[:, j]) & 0xFF]
    for s in states.tolist():
        crc = lo[crc & 0xFF] ^ hi[crc >> 8] ^ s
    return crc


# --- MP3 -------------------------------------------------------------------------------------------

_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)


def id3_size(data: bytes) -> int:
    """Bytes of the ID3v2 tag at the front (0 when there is none)."""
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return 10 + size + (10 if data[5] & 0x10 else 0)


def mp3_frames(data: bytes, start: int = 0) -> list[int]:
    """Offsets of the MPEG-1 layer III frames from `start`, and the end offset last."""
    offsets = []
    pos, n = start, len(data)
    while pos + 4 <= n:
        h = int.from_bytes(data[pos:pos + 4], "big")
        if h >> 21 != 0x7FF or (h >> 19) & 3 != 3 or (h >> 17) & 3 != 1:
            raise CannotSplice(f"not an MPEG-1 layer III frame at byte {pos}")
        bitrate = _BITRATES[(h >> 12) & 0xF] * 1000
        rate_index = (h >> 10) & 3
        if not bitrate or rate_index == 3:
            raise CannotSplice(f"free-format or bad frame header at byte {pos}")
        size = 144 * bitrate // _RATES[rate_index] + ((h >> 9) & 1)
        offsets.append(pos)
        pos += size
    if pos != n:
        raise CannotSplice("the last MP3 frame is cut short")
    offsets.append(pos)
    return offsets


@dataclass
class Mp3Parts:
    xing: bytes           # the Info frame as it is
    xing_at: int          # where "Info" or "Xing" starts inside it
    frames: list[int]     # offsets of the audio frames, the end offset last
    data: bytes


def parse_mp3(data: bytes) -> Mp3Parts:
    """An MP3 as ffmpeg writes it (ID3v2, the Info frame, then the audio frames)."""
    start = id3_size(data)
    offsets = mp3_frames(data, start)
    first = data[offsets[0]:offsets[1]]
    mono = (first[3] >> 6) == 3
    at = 4 + (17 if mono else 32)
    if first[at:at + 4] not in (b"Info", b"Xing") or first[at + 120:at + 124] not in (b"Lavc", b"LAME", b"Lavf"):
        raise CannotSplice("the MP3 has no Info frame with a LAME tag")
    return Mp3Parts(first, at, offsets[1:], data)


def lame_padding(xing: bytes, at: int) -> tuple[int, int]:
    """(encoder delay, end padding) from the LAME tag."""
    v = int.from_bytes(xing[at + 141:at + 144], "big")
    return v >> 12, v & 0xFFF


def info_frame(template: bytes, at: int, sizes: list[int], padding: int, music_crc: int) -> bytes:
    """The Info frame for audio frames of these byte sizes, as ffmpeg's mp3 muxer makes it."""
    if not 0 <= padding < 4096:
        raise CannotSplice(f"end padding {padding} does not fit the LAME tag")
    frame = bytearray(template)
    total = len(template) + sum(sizes)
    struct.pack_into(">II", frame, at + 8, len(sizes), total)
    # the seek table: ffmpeg's (after LAME's VbrTag.c) bags of byte positions, halved as they fill
    bags: list[int] = []
    want, seen, size = 1, 0, len(template)
    for s in sizes:
        size += s
        seen += 1
        if seen == want:
            bags.append(size)
            if len(bags) == 400:
                bags = bags[1::2]
                want *= 2
            seen = 0
    toc = [0] + [min(256 * bags[i * len(bags) // 100] // total, 255) if bags else 0 for i in range(1, 100)]
    frame[at + 16:at + 116] = bytes(toc)
    delay = int.from_bytes(frame[at + 141:at + 144], "big") >> 12
    frame[at + 141:at + 144] = ((delay << 12) | padding).to_bytes(3, "big")
    struct.pack_into(">IHH", frame, at + 148, total, music_crc, 0)
    struct.pack_into(">H", frame, at + 154, crc16_arc(bytes(frame[:190])))
    return bytes(frame)


def _side_info(frame: bytes | bytearray) -> tuple[int, int]:
    """(where the frame's main-data area starts, its side information's length)."""
    at = 4 if frame[1] & 1 else 6  # a CRC follows the header when the protection bit is 0
    return at, 17 if (frame[3] >> 6) == 3 else 32


def main_data(frame: bytes | bytearray) -> tuple[int, int]:
    """(main_data_begin, bytes of main data) of an MPEG-1 layer III frame: how far back in the
    frames before it its data starts (the bit reservoir), and how long the data is."""
    at, side = _side_info(frame)
    bits = int.from_bytes(frame[at:at + side], "big")
    total = side * 8
    begin = bits >> (total - 9)
    stereo = side == 32
    first = 9 + (3 if stereo else 5) + (8 if stereo else 4)  # private bits, scfsi
    length = 0
    for n in range(4 if stereo else 2):  # part2_3_length of each granule and channel
        length += (bits >> (total - (first + n * 59) - 12)) & 0xFFF
    return begin, (length + 7) // 8


def _lend_reservoir(old: bytes, old_frames: list[int], at: int, new: list[bytearray]) -> None:
    """Old frame `at` (and those after it, whose data follows its own) may take its data from as
    far as main_data_begin bytes back in the frames before it, which are now the `new` ones
    (silence, encoded without the reservoir). Those bytes are copied into the end of the new frames;
    and because a decoder keeps only what follows the last frame's own data (ffmpeg does), a new
    frame that holds nothing but lent bytes points its (empty) data back before them."""
    begin, _ = main_data(old[old_frames[at]:old_frames[at + 1]])
    if begin == 0:
        return
    lent = bytearray()
    k = at
    while len(lent) < begin and k > 0:
        k -= 1
        frame = old[old_frames[k]:old_frames[k + 1]]
        head, side = _side_info(frame)
        lent[:0] = frame[head + side:]
    if len(lent) < begin:
        raise CannotSplice("the old frames reach back past the file's start")
    need = begin  # bytes at the end of this frame's area (and before it) that must be kept
    lent = lent[len(lent) - begin:]
    for piece in reversed(new):
        head, side = _side_info(piece)
        if head != 4:
            raise CannotSplice("the MP3 frames carry CRCs")
        start, used = main_data(piece)
        area = len(piece) - head - side
        if start != 0:
            raise CannotSplice("the new frames lean on the reservoir")
        take = min(need, area)
        piece[len(piece) - take:] = lent[len(lent) - take:]
        del lent[len(lent) - take:]
        if used + need <= area:
            return
        if used:
            raise CannotSplice("no room before the kept frames for the data they lean on")
        need -= area
        v = int.from_bytes(piece[head:head + 2], "big")
        piece[head:head + 2] = ((need << 7) | (v & 0x7F)).to_bytes(2, "big")
    raise CannotSplice("no room before the kept frames for the data they lean on")


def splice_mp3(old: bytes, tail: bytes, keep: int, drop: int, samples: int,
               resume: tuple[int, int] | None = None) -> bytes:
    """The old file's Info frame and first `keep` audio frames, then the tail encoder's frames
    (raw, no Info frame) after its first `drop`; the ID3 tag is left for mutagen to write.
    `samples`: how many the tail encoder was given (its end padding follows from them).
    `resume` = (count, at): only `count` of the new frames, then the old frames again from `at`
    (the lines after the edit, moved by whole frames) to the end."""
    parts = parse_mp3(old)
    if keep > len(parts.frames) - 1:
        raise CannotSplice("the join is past the old file's end")
    tail_offsets = mp3_frames(tail)
    if drop >= len(tail_offsets) - 1:
        raise CannotSplice("the new tail is shorter than its start-up")
    old_frames = parts.frames
    new: list[bytearray]
    if resume is None:
        new = [bytearray(tail[a:b]) for a, b in zip(tail_offsets[drop:-1], tail_offsets[drop + 1:])]
        # the decoder trims this much after the last sample (LAME's delay is trimmed before it)
        padding = (len(tail_offsets) - 1) * MP3_FRAME - LAME_DELAY - samples
        after = b""
        after_sizes: list[int] = []
    else:
        count, at = resume
        if count < 1 or drop + count > len(tail_offsets) - 1 or not keep <= at < len(old_frames) - 1:
            raise CannotSplice("the new frames do not reach the second join")
        new = [bytearray(tail[a:b]) for a, b in zip(tail_offsets[drop:drop + count], tail_offsets[drop + 1:drop + count + 1])]
        _lend_reservoir(parts.data, old_frames, at, new)
        padding = lame_padding(parts.xing, parts.xing_at)[1]  # the end moved by whole frames
        after = parts.data[old_frames[at]:old_frames[-1]]
        after_sizes = [b - a for a, b in zip(old_frames[at:-1], old_frames[at + 1:])]
    audio = b"".join([parts.data[old_frames[0]:old_frames[keep]], *new, after])
    sizes = [b - a for a, b in zip(old_frames[:keep], old_frames[1:keep + 1])]
    sizes += [len(f) for f in new] + after_sizes
    return info_frame(parts.xing, parts.xing_at, sizes, padding, crc16_arc(audio)) + audio


# --- Ogg Opus --------------------------------------------------------------------------------------

def parse_ogg(data: bytes) -> list:
    """The Ogg pages of `data` (mutagen's OggPage: packets, granule `position`, serial, sequence)."""
    from mutagen.ogg import OggPage
    from mutagen.ogg import error as OggError

    stream, pages = io.BytesIO(data), []
    try:
        while stream.tell() < len(data):
            page = OggPage(stream)
            if page.continued or not page.complete:
                raise CannotSplice("an Ogg packet spans pages")  # ffmpeg's Opus pages never do
            pages.append(page)
    except (OggError, EOFError) as exc:
        raise CannotSplice(f"not a readable Ogg file ({exc})") from None
    return pages


def opus_samples(packet: bytes) -> int:
    """Samples (at 48 kHz) an Opus packet decodes to, from its TOC byte (RFC 6716, 3.1)."""
    config, code = packet[0] >> 3, packet[0] & 3
    if config < 12:
        frame = (480, 960, 1920, 2880)[config % 4]
    elif config < 16:
        frame = (480, 960)[config % 2]
    else:
        frame = (120, 240, 480, 960)[config % 4]
    count = 1 if code == 0 else 2 if code in (1, 2) else packet[1] & 0x3F
    return frame * count


def _opus_head(pages: list) -> tuple[bytes, int]:
    if not pages or not pages[0].packets or pages[0].packets[0][:8] != b"OpusHead":
        raise CannotSplice("not an Ogg Opus file")
    head = pages[0].packets[0]
    return head, struct.unpack_from("<H", head, 10)[0]


def splice_opus(old: bytes, tail: bytes, keep: int, drop: int, shift: int,
                resume: tuple[int, int, int] | None = None) -> bytes:
    """The old file's first `keep` audio packets, then the tail encoder's after its first `drop`.
    `shift`: 48 kHz samples between the old stream's start and the tail's (its granules move
    by that much). `resume` = (count, at, moved): only `count` new packets, then the old ones
    again from packet `at`, `moved` samples later than they were. Whole old pages before the join
    are copied; the rest is paged again."""
    from mutagen.ogg import OggPage

    old_pages, tail_pages = parse_ogg(old), parse_ogg(tail)
    head, pre_skip = _opus_head(old_pages)
    tail_head, tail_skip = _opus_head(tail_pages)
    if tail_skip != pre_skip or tail_head[9] != head[9]:
        raise CannotSplice("the new Opus stream starts differently from the old")
    headers = 2  # OpusHead, OpusTags
    out = bytearray(old[:old_pages[headers].offset])
    serial = old_pages[0].serial
    index, sequence, granule = 0, old_pages[headers].sequence, 0
    pending: list[bytes] = []
    for page in old_pages[headers:]:
        if index + len(page.packets) <= keep:
            out += old[page.offset:page.offset + page.size]
            index += len(page.packets)
            granule += sum(opus_samples(p) for p in page.packets)
            sequence = page.sequence + 1
            continue
        pending = page.packets[:keep - index]
        index += len(pending)
        break
    if index != keep:
        raise CannotSplice("the join is past the old Opus file's end")
    tail_packets = [p for page in tail_pages[headers:] for p in page.packets]
    if drop >= len(tail_packets):
        raise CannotSplice("the new Opus tail is shorter than its start-up")
    after: list = []  # old pages copied whole, moved (their packets follow the join unchanged)
    moved = 0
    if resume is None:
        final = tail_pages[-1].position + shift
        packets = pending + tail_packets[drop:]
    else:
        count, at, moved = resume
        starts, n = [], 0  # each old audio page's first packet
        for page in old_pages[headers:]:
            starts.append(n)
            n += len(page.packets)
        if count < 1 or drop + count > len(tail_packets) or not keep <= at < n:
            raise CannotSplice("the new packets do not reach the second join")
        whole = next((i for i, first in enumerate(starts) if first >= at), len(starts))
        after = old_pages[headers + whole:]
        old_packets = [p for page in old_pages[headers:headers + whole] for p in page.packets]
        final = old_pages[-1].position + moved
        packets = pending + tail_packets[drop:drop + count] + old_packets[at:]
    page = OggPage()
    for n, packet in enumerate(packets):
        page.packets.append(packet)
        granule += opus_samples(packet)
        last = n == len(packets) - 1
        if len(page.packets) == 50 or last or page.size > 4096:  # about a second, as ffmpeg pages
            page.serial, page.sequence, page.last = serial, sequence, last and not after
            page.position = min(granule, final) if last else granule
            out += page.write()
            sequence += 1
            page = OggPage()
    for page in after:  # copied as they are, moved: mutagen writes the header and CRC again
        page.position += moved
        page.sequence = sequence
        out += page.write()
        sequence += 1
    return bytes(out)


# --- loudness --------------------------------------------------------------------------------------

def gated_loudness(momentary: np.ndarray) -> float:
    """BS.1770 integrated loudness from the loudness of its 400 ms blocks (100 ms apart)."""
    from .loudness import gated

    return gated(10 ** ((momentary.astype(np.float64) + 0.691) / 10))


def pack_momentary(values: np.ndarray) -> str:
    return base64.b64encode(np.round(np.maximum(values, -200.0) * 10).astype("<i2").tobytes()).decode("ascii")


def unpack_momentary(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<i2").astype(np.float32) / 10


# --- where to join ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Join:
    mp3_keep: int        # old audio frames kept
    mp3_start: int       # first sample (output rate) the new MP3 encoder is given
    opus_keep: int       # old Opus packets kept
    opus_start: int      # first sample (output rate) the new Opus encoder is given

    @property
    def start(self) -> int:
        return min(self.mp3_start, self.opus_start)


def find_join(quiet_from: int, quiet_to: int, rate: int, opus: bool) -> Join:
    """A join inside [quiet_from, quiet_to), samples at the output rate where the mix is silent,
    for both encoders (their frames, their start-up and their filters' reach all inside it)."""
    delay = LAME_DELAY + DECODER_DELAY
    # MP3: old frame k decodes to input samples [k*1152 - 1105, (k+1)*1152 - 1105), and its
    # filter banks reach about one frame further each way
    keep = -(-(quiet_from + delay + (MP3_WARMUP + 1) * MP3_FRAME) // MP3_FRAME)
    mp3_start = (keep - MP3_WARMUP) * MP3_FRAME
    if (keep + 2) * MP3_FRAME > quiet_to:
        raise CannotSplice("the pause before the edit is too short to join in")
    if not opus:
        return Join(keep, mp3_start, 0, mp3_start)
    # Opus: packets of 960 samples at 48 kHz; packet k decodes to [k*960 - pre-skip, ...)
    step = OPUS_PACKET * rate // math.gcd(OPUS_PACKET * rate, OPUS_RATE)  # output samples per join grid
    per = step * OPUS_RATE // rate // OPUS_PACKET                           # packets per grid step
    warm = -(-OPUS_WARMUP // per) * step     # the new encoder's start-up, whole grid steps
    first = -(-(quiet_from + warm + int(0.01 * rate)) // step) * step   # 10 ms more for the resampler
    if first + 2 * step > quiet_to:
        raise CannotSplice("the pause before the edit is too short to join in")
    opus_keep = first * OPUS_RATE // rate // OPUS_PACKET
    opus_start = first - warm
    return Join(keep, mp3_start, opus_keep, opus_start)


@dataclass(frozen=True)
class Resume:
    """Where the old frames take over again after the edit: the lines after it moved by `moved`
    samples, a whole number of frames of both encoders (see join_grid)."""
    mp3_at: int          # the frame (in the new file) from which the old frames follow
    mp3_old: int         # that frame's index in the old file
    opus_at: int         # the same for the Opus packets
    opus_old: int
    stop: int            # the new encoders are given the mix up to this sample


def find_resume(quiet_from: int, quiet_to: int, moved: int, rate: int, opus: bool) -> Resume:
    """A second join inside [quiet_from, quiet_to), samples of the new mix that are silent in it
    and in the old one (moved), before the first line whose old frames are kept. The frames on both
    sides of the seam, and what their filter banks and the limiter reach, lie in the silence."""
    margin = int(0.01 * rate)
    lo, hi = quiet_from + margin, quiet_to - margin
    if moved % MP3_FRAME:
        raise CannotSplice("the lines after the edit did not move by whole MP3 frames")
    delay = LAME_DELAY + DECODER_DELAY
    # frame k decodes to the mix's [k*1152 - delay, (k+1)*1152 - delay)
    k = -(-(lo + delay + 3 * MP3_FRAME) // MP3_FRAME)
    stop = (k + 3) * MP3_FRAME
    if k * MP3_FRAME - delay + 2 * MP3_FRAME > hi or stop > quiet_to:
        raise CannotSplice("the pause after the edit is too short to join in")
    if not opus:
        return Resume(k, k - moved // MP3_FRAME, 0, 0, stop)
    packet = OPUS_PACKET * rate // OPUS_RATE
    if moved % packet or OPUS_PACKET * rate % OPUS_RATE:
        raise CannotSplice("the lines after the edit did not move by whole Opus packets")
    skip = 312 * rate // OPUS_RATE + int(0.005 * rate)  # libopus's look-ahead, and more
    p = -(-(lo + skip + 5 * packet) // packet)
    stop = max(stop, (p + 4) * packet)
    if p * packet - skip + 3 * packet > hi or stop > quiet_to:
        raise CannotSplice("the pause after the edit is too short to join in")
    return Resume(k, k - moved // MP3_FRAME, p, p - moved // packet, stop)
