"""Duplicate complaints: same project and category, nearby, with similar Chinese text (jieba + rapidfuzz)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import jieba
from rapidfuzz import fuzz

jieba.setLogLevel(logging.WARNING)

# Words that say nothing about *what* is wrong; without them two complaints are compared on substance.
_STOP = frozenset({
    "的", "了", "是", "在", "我", "我们", "你们", "他们", "请", "请求", "希望", "尽快", "一下", "这个",
    "那个", "有", "和", "就", "都", "也", "还", "又", "很", "太", "小区", "楼", "号楼", "单元", "施工",
    "工地", "问题", "反映", "投诉", "处理", "一直", "现在", "今天", "昨天", "每天"})


@dataclass(frozen=True)
class Candidate:
    """An open complaint the new one may repeat."""

    complaint_id: str
    text: str
    distance_m: float | None


def warm() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first complaint."""
    jieba.initialize()


@lru_cache(maxsize=4096)
def tokens(text: str) -> str:
    """The text as jieba words without stop words and punctuation, space-joined for rapidfuzz."""
    words = (w.strip() for w in jieba.lcut(text))
    return " ".join(w for w in words if w and w not in _STOP and any(ch.isalnum() for ch in w))


def similarity(a: str, b: str) -> float:
    """0–100: how much two complaints say the same thing, word order and filler aside."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return max(fuzz.token_set_ratio(ta, tb), fuzz.token_sort_ratio(ta, tb))


def best_match(text: str, candidates: list[Candidate], *, radius_m: float,
               min_score: float) -> tuple[Candidate, float] | None:
    """The most similar open complaint within the radius (or without a point to compare), if similar enough."""
    scored = [(c, similarity(text, c.text)) for c in candidates
              if c.distance_m is None or c.distance_m <= radius_m]
    scored = [(c, s) for c, s in scored if s >= min_score]
    return max(scored, key=lambda pair: pair[1]) if scored else None
