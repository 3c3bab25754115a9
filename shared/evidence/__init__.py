"""Photo and video evidence in the kernel: what a probe proves about an upload (pure; no decoders here).

The decoders live in `shared.evidence.probe` (an adapter: Pillow, pillow-heif, simplejpeg, PyAV);
domain code imports only this package's plain types and functions.
"""

from shared.evidence.model import (
    MEDIA_TYPES, PHOTO_TYPES, EvidenceRefused, EvidenceTooLarge, Probed, Sighting, TimeSource, hamming,
    phash_bands)

__all__ = ["MEDIA_TYPES", "PHOTO_TYPES", "EvidenceRefused", "EvidenceTooLarge", "Probed", "Sighting",
           "TimeSource", "hamming", "phash_bands"]
