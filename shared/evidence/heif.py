"""The proof of a HEIF/HEIC file's HEVC data, and its picture from the same decode.

libheif decodes HEVC with libde265, which conceals damaged data: bytes flipped inside a tile
give a smeared tile, not an error. FFmpeg's HEVC decoder with `err_detect=explode` stops at
the first error it detects (`strict_picture`); on the bundled iPhone photo it refuses 18 of 30
random 8-byte flips that libheif accepts all of (the rest decode to other, valid-looking data:
HEVC carries no checksum).

That strict decode is also where the picture comes from: the tiles FFmpeg decoded are put
together as the container's layout says (`shared/evidence/heif_container.py`), so libheif does
not decode the file a second time. A layout this does not know (a crop, a mirror, an overlay),
or tiles that are not what the container says they are (size, chroma, bit depth: what libheif
refuses), leave the picture and the verdict to libheif, as before.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image

from shared.evidence.heif_container import Layout, layout, missing_bytes

__all__ = ["missing_bytes", "strict_picture"]


def strict_picture(data: bytes, *, side: int = 512) -> tuple[str | None, Image.Image | None]:
    """Decode every coded image strictly; (why not, None), or (None, the picture at most `side` a side, upright).

    Every coded item the container shows FFmpeg (each tile of the grid, a thumbnail, a depth
    map) is decoded strictly. Only a decoding error is a verdict: a file whose container FFmpeg
    cannot read gets none here (libheif's decode stays the proof), and a picture only when the
    primary image's layout is known and every tile of it was decoded (else None: libheif's).
    """
    try:
        container = av.open(io.BytesIO(data))
    except (av.FFmpegError, ValueError):
        return None, None
    grid = layout(data)
    wanted = set(grid.tiles) if grid else set()
    tiles: dict[int, _Tile] = {}
    with container:
        streams = [stream for stream in container.streams if stream.type == "video"]
        for stream in streams:
            stream.codec_context.options = {"err_detect": "explode"}
            # Frame threads: faster, and they report damage that one thread conceals (18 of the
            # 30 flips above are refused with them, 8 without); every valid file tried still passes.
            stream.thread_type = "FRAME"
        try:
            packets = [packet for packet in container.demux(streams) if packet.size]
        except (av.FFmpegError, ValueError):
            return None, None
        current = None

        def keep(stream, frames) -> None:
            if frames and stream.id in wanted and stream.id not in tiles:
                tiles[stream.id] = _Tile.of(frames[0])

        try:
            for packet in packets:
                current = packet.stream
                keep(current, packet.decode())
            for current in streams:
                keep(current, current.codec_context.decode(None))
        except av.FFmpegError as error:
            which = f"第 {current.index + 1} 个编码图像（共 {len(streams)} 个）" if current is not None else "编码图像"
            return f"{which}的 HEVC 数据有错：{error}", None
    return None, (_assemble(grid, tiles, side=side) if grid else None)


_CHROMA = {"gray": 0, "420": 1, "422": 2, "444": 3}
_TURNS = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}


@dataclass(frozen=True)
class _Tile:
    """A decoded tile: its brightness, and the chroma format and bit depth it decoded to."""

    luma: np.ndarray
    coded: tuple[int | None, int, int | None]  # chroma format, luma and chroma bit depth

    @classmethod
    def of(cls, frame) -> "_Tile":
        name = frame.format.name
        chroma = next((code for key, code in _CHROMA.items() if key in name), None)
        components = frame.format.components
        bits = components[0].bits
        coded = (chroma, bits, components[1].bits if chroma and len(components) > 1 else None)
        if bits == 8 and chroma is not None:  # the Y plane as it is
            plane = frame.planes[0]
            rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
            return cls(rows[:, :plane.width].copy(), coded)
        return cls(frame.to_ndarray(format="gray"), coded)


def _assemble(grid: Layout, tiles: dict[int, _Tile], *, side: int) -> Image.Image | None:
    """The grey picture from decoded tiles, reduced to at most `side` a side and turned; None if they do not fit."""
    if grid.width < 1 or grid.height < 1 or any(
            item not in tiles or tiles[item].luma.shape != (height, width)
            or tiles[item].coded != coded
            for item, (width, height), coded in zip(grid.tiles, grid.sizes, grid.coded, strict=True)):
        return None  # a tile missing, or not as the container says it is: libheif's verdict
    if len(set(grid.sizes)) != 1:
        return None
    [(tile_width, tile_height)] = set(grid.sizes)
    rows = len(grid.tiles) // grid.columns
    if grid.width > grid.columns * tile_width or grid.height > rows * tile_height:
        return None
    lumas = [tiles[item].luma for item in grid.tiles]
    whole = np.vstack([np.hstack(lumas[row * grid.columns:(row + 1) * grid.columns]) for row in range(rows)])
    picture = Image.fromarray(np.ascontiguousarray(whole[:grid.height, :grid.width]), "L")
    factor = max(1, max(picture.size) // side)
    picture = picture.reduce(factor) if factor > 1 else picture
    picture.thumbnail((side, side))
    return picture.transpose(_TURNS[grid.turns]) if grid.turns else picture

