"""Reading a HEIF/HEIC container's boxes (ISO/IEC 14496-12, 23008-12): is every byte there, and what is the picture.

libheif decodes a grid whose tiles lie past the end of a cut-off file as grey tiles, without
an error: a truncated upload would pass the pixel decode. The container says exactly how
many bytes each box and each item's extents take, so a missing one is found before decoding
(`missing_bytes`). It also says which coded items are the primary image's tiles, in what
order, how big the picture is and how it is turned (`layout`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


def missing_bytes(data: bytes) -> str | None:
    """A reason the file is cut short or its locations point outside it, or None if all is there."""
    try:
        boxes = dict(_boxes(data, 0, len(data)))
        meta = boxes.get(b"meta")
        if meta is None:
            return "没有 meta 盒"
        start, end = meta
        children = dict(_boxes(data, start + 4, end))  # meta is a full box: version and flags first
        if b"iloc" not in children:
            return "没有 iloc 盒"
        idat = children.get(b"idat")
        return _check_locations(data, *children[b"iloc"], idat=idat)
    except _Short as short:
        return str(short)


@dataclass(frozen=True)
class Layout:
    """The primary image: its coded tiles (item ids, raster order), its size and its quarter turns."""

    tiles: tuple[int, ...]
    sizes: tuple[tuple[int, int], ...]  # each tile's width and height as the container says (`ispe`)
    coded: tuple[tuple[int, int, int | None], ...]  # each tile's chroma format and bit depths (`hvcC`)
    columns: int
    width: int
    height: int
    turns: int  # `irot`: anticlockwise quarter turns, applied after the tiles are put together


# Properties that leave the picture's geometry alone (size, bit depth, colour, codec setup, HDR
# light levels); any other (a crop, a mirror, a layer choice) leaves the picture to libheif.
_PLAIN = {b"ispe", b"pixi", b"colr", b"hvcC", b"irot", b"pasp", b"clli", b"mdcv"}


def layout(data: bytes) -> Layout | None:
    """The primary image's tiles and size (one coded image, or a grid of them), or None when it is anything else.

    Read from the container (ISO/IEC 23008-12): `pitm` names the primary item, `iinf` the items'
    types, a grid's `dimg` references its tiles in raster order and its data (in `idat` or the
    file) gives rows, columns and the picture's size; `ipma` associates each item's properties:
    its size (`ispe`, which a decoded tile must match) and the quarter turns. Anything libheif
    would refuse or draw otherwise (a tile that is not HEVC, a crop, a mirror) gives None.
    """
    try:
        meta = dict(_boxes(data, 0, len(data)))[b"meta"]
        children = dict(_boxes(data, meta[0] + 4, meta[1]))
        primary = _primary(data, *children[b"pitm"])
        kinds = _item_types(data, *children[b"iinf"])
        boxes, associated = _property_table(data, *children[b"iprp"])
        properties = {item: [boxes[index - 1] for index in indexes if index] for item, indexes in associated.items()}
        own = properties.get(primary, [])
        if {kind for kind, _, _ in own} - _PLAIN:
            return None
        turns = sum(data[begin] & 3 for kind, begin, _ in own if kind == b"irot") % 4
        if kinds.get(primary) == b"hvc1":
            tiles, columns, (width, height) = [primary], 1, _size(data, properties[primary])
        elif kinds.get(primary) == b"grid":
            tiles = _references(data, *children[b"iref"]).get((b"dimg", primary), [])
            grid = _item_bytes(data, *children[b"iloc"], idat=children.get(b"idat"), item=primary)
            flags, rows, columns = grid[1], grid[2] + 1, grid[3] + 1
            width, height = struct.unpack_from(">II" if flags & 1 else ">HH", grid, 4)
            if grid[0] != 0 or len(tiles) != rows * columns or (width, height) != _size(data, own):
                return None  # the grid's own size (`ispe`) must be the picture's, as libheif requires
        else:
            return None
        if any(kinds.get(tile) != b"hvc1" for tile in tiles):
            return None
        sizes = tuple(_size(data, properties[tile]) for tile in tiles)
        coded = tuple(_coded(data, properties[tile]) for tile in tiles)
        return Layout(tiles=tuple(tiles), sizes=sizes, coded=coded, columns=columns, width=width, height=height,
                      turns=turns)
    except (KeyError, IndexError, struct.error, _Short):
        return None


def _primary(data: bytes, start: int, end: int) -> int:
    reader = _Reader(data, start, end)
    version = reader.uint(1)
    reader.uint(3)
    return reader.uint(2 if version == 0 else 4)


def _item_types(data: bytes, start: int, end: int) -> dict[int, bytes]:
    reader = _Reader(data, start, end)
    version = reader.uint(1)
    reader.uint(3)
    reader.uint(2 if version == 0 else 4)  # entry count: the boxes that follow say it too
    types = {}
    for kind, (begin, finish) in _boxes(data, reader.offset, end):
        if kind != b"infe":
            continue
        entry = _Reader(data, begin, finish)
        entry_version = entry.uint(1)
        entry.uint(3)
        if entry_version < 2:
            continue
        item = entry.uint(2 if entry_version == 2 else 4)
        entry.uint(2)  # protection index
        types[item] = data[entry.offset:entry.offset + 4]
    return types


def _references(data: bytes, start: int, end: int) -> dict[tuple[bytes, int], list[int]]:
    reader = _Reader(data, start, end)
    width = 2 if reader.uint(1) == 0 else 4
    reader.uint(3)
    found: dict[tuple[bytes, int], list[int]] = {}
    for kind, (begin, finish) in _boxes(data, reader.offset, end):
        entry = _Reader(data, begin, finish)
        source = entry.uint(width)
        found[(kind, source)] = [entry.uint(width) for _ in range(entry.uint(2))]
    return found


def _property_table(data: bytes, start: int, end: int) -> tuple[list[tuple[bytes, int, int]], dict[int, list[int]]]:
    """The property boxes (type, payload start, end) of `ipco`, and each item's 1-based indexes in `ipma`."""
    children = list(_boxes(data, start, end))
    boxes = [(kind, begin, finish) for kind, (begin, finish) in _boxes(data, *dict(children)[b"ipco"])]
    associated: dict[int, list[int]] = {}
    for kind, (begin, finish) in children:
        if kind != b"ipma":
            continue
        reader = _Reader(data, begin, finish)
        version = reader.uint(1)
        flags = reader.uint(3)
        for _ in range(reader.uint(4)):
            item = reader.uint(2 if version < 1 else 4)
            associated.setdefault(item, []).extend(
                reader.uint(2 if flags & 1 else 1) & (0x7FFF if flags & 1 else 0x7F) for _ in range(reader.uint(1)))
    return boxes, associated


def _size(data: bytes, properties: list[tuple[bytes, int, int]]) -> tuple[int, int]:
    """Width and height from an item's `ispe` (after its version and flags)."""
    for kind, begin, _ in properties:
        if kind == b"ispe":
            return struct.unpack_from(">II", data, begin + 4)
    raise KeyError("ispe")


def _coded(data: bytes, properties: list[tuple[bytes, int, int]]) -> tuple[int, int, int | None]:
    """Chroma format and luma and chroma bit depths from an item's `hvcC` (ISO/IEC 14496-15: bytes 16–18)."""
    for kind, begin, end in properties:
        if kind == b"hvcC" and end - begin > 18:
            chroma = data[begin + 16] & 3
            return chroma, (data[begin + 17] & 7) + 8, (data[begin + 18] & 7) + 8 if chroma else None
    raise KeyError("hvcC")


def _item_bytes(data: bytes, start: int, end: int, *, idat, item: int) -> bytes:
    for found, method, extents in _locations(data, start, end):
        if found == item and method in (0, 1):
            base = 0 if method == 0 else idat[0]
            return b"".join(data[base + offset:base + offset + length] for offset, length in extents)
    raise KeyError(item)


class _Short(Exception):
    """The data ends before a declared size."""


def _boxes(data: bytes, start: int, end: int):
    """(type, (payload start, box end)) for each box in [start, end), refusing one that overruns."""
    offset = start
    while offset < end:
        if end - offset < 8:
            raise _Short(f"第 {offset} 字节处的盒头不完整")
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            if end - offset < 16:
                raise _Short(f"第 {offset} 字节处的盒头不完整")
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = end - offset  # the last box runs to the end
        if size < header:
            raise _Short(f"盒 {kind!r} 的长度 {size} 无效")
        if offset + size > end:
            raise _Short(f"盒 {kind.decode('latin-1')} 声明 {size} 字节，文件只剩 {end - offset} 字节")
        yield kind, (offset + header, offset + size)
        offset += size


def _locations(data: bytes, start: int, end: int):
    """(item, construction method, [(offset, length), …]) for each item of an `iloc` box."""
    reader = _Reader(data, start, end)
    version = reader.uint(1)
    reader.uint(3)  # flags
    sizes = reader.uint(2)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 0xF
    base_size, index_size = (sizes >> 4) & 0xF, sizes & 0xF if version in (1, 2) else 0
    for _ in range(reader.uint(2 if version < 2 else 4)):
        item = reader.uint(2 if version < 2 else 4)
        method = reader.uint(2) & 0xF if version in (1, 2) else 0
        reader.uint(2)  # data_reference_index: 0, this file
        base = reader.uint(base_size)
        extents = []
        for _ in range(reader.uint(2)):
            reader.uint(index_size)
            extents.append((base + reader.uint(offset_size), reader.uint(length_size)))
        yield item, method, extents


def _check_locations(data: bytes, start: int, end: int, *, idat) -> str | None:
    for item, method, extents in _locations(data, start, end):
        limit = len(data) if method == 0 else (idat[1] - idat[0] if idat else 0)
        for offset, length in extents:
            if method in (0, 1) and offset + length > limit:
                return f"图像项 {item} 的数据在第 {offset}–{offset + length} 字节，文件只有 {limit} 字节"
    return None


class _Reader:
    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data, self.offset, self.end = data, start, end

    def uint(self, size: int) -> int:
        if size == 0:
            return 0
        if size not in (1, 2, 3, 4, 8) or self.offset + size > self.end:
            raise _Short("iloc 盒不完整")
        value = int.from_bytes(self.data[self.offset:self.offset + size], "big")
        self.offset += size
        return value
