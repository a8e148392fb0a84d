"""Copy-move (cloned region) detection: keypoint matching plus a dense block fallback.

Two ways of proposing "this part of the picture is a copy of that part", one way of checking:

1. **Keypoints** (rotation and scale invariant), after I. Amerini, L. Ballan, R. Caldelli,
   A. Del Bimbo, G. Serra, "A SIFT-based forensic method for copy-move attack detection and
   transformation recovery", IEEE Trans. Information Forensics and Security 6(3):1099-1110,
   2011: SIFT keypoints matched against the *same* picture with the generalised 2NN ratio
   test (g2NN), the matched points clustered (agglomerative, single linkage), and an affine
   transform fitted by RANSAC between every pair of clusters joined by enough matches.
   SIFT is not mirror invariant, so descriptors of the mirrored keypoints are matched too
   (mirrored copies). Small pictures are enlarged for this step only.
2. **Blocks** (for flat or fine-textured areas where keypoints are few), after J. Fridrich,
   D. Soukal, J. Lukas, "Detection of copy-move forgery in digital images", Digital Forensic
   Research Workshop 2003: quantised low-frequency DCT coefficients of every overlapping 8x8
   block, sorted so that equal blocks become neighbours, and the shift vectors of equal
   blocks counted; the most frequent shifts are candidate translations. Bit-identical
   blocks (lossless files) vote the same way at full resolution, and the peaks of the
   high-passed picture's autocorrelation (the same vote, taken in the Fourier domain) add a
   few more.
3. **Dense verification** of every candidate transform, as in the localisation step of
   I. Amerini et al., "Copy-move forgery detection and localization by means of robust
   clustering with J-Linkage", Signal Processing: Image Communication 28(6), 2013: the
   picture is warped by the transform and compared with itself through a local zero-mean
   normalised cross-correlation (ZNCC) of its high-passed grey levels; pixels that correlate
   strongly, *and* more strongly than under the transform moved by a few pixels, form the
   target region (grown by hysteresis for display), its image under the inverse transform
   the source region. Rotated or scaled transforms are first refined by dense alignment
   (ECC, Evangelidis & Psarakis, IEEE TPAMI 2008).

Repeated structure (windows, fences, tiles, printed fabric) is what fools naive matchers, so a
verified region must also (a) match nearly exactly in colour, not just in pattern (natural
repeats differ in light and shading, a clone carries its pixels along), (b) not continue the
repetition one step further (a lattice: the same content again at twice the shift), (c)
stand out against the other candidate shifts found in the same picture, (d) change along
the shift (an edge or stripe parallel to the shift matches itself: the aperture problem) and
(e) not lie on perfectly flat or clipped colour (captions and logo overlays repeat exactly),
and (f) carry its fine noise along: two instances of one print (a digit twice on a sign)
share the shape, not the sensor noise of their flat interiors (rule off where the noise
cannot be measured; a copy whose noise a later JPEG re-compression replaced can be taken
for print, see :attr:`CopyMoveParams.noise_max_correlation`).
(a) and (c) enter a logistic score fitted on CASIA v1 (see :class:`CopyMoveParams`); (b),
(d), (e) and (f) are rules. Each is measured and reported with the match, so a reader can see
why a region was kept or set aside.

When a match is a plain translation at the stored resolution of a picture that had been JPEG
compressed before the copy, the pasted copy carries the earlier 8x8 block grid moved by the
shift, while its source keeps it aligned: a significance test on the blocking at the moved
grid phase in both regions names the pasted copy (the *target*) when one region shows it
clearly and the other does not. Otherwise the roles are reported as undetermined and both
regions are marked.

Nothing here knows about files or the scan: functions take ``uint8`` RGB arrays and
keyword-only parameters. The thin check is :mod:`forensics.checks.copy_move`.

Modules, each importing only those above it: :mod:`.params` (the one parameter dataclass),
:mod:`.results` (what a run returns), :mod:`.geometry` (affines, ROIs, local ZNCC),
:mod:`.keypoints` (1), :mod:`.blocks` (2), :mod:`.verify` (3), :mod:`.repeats` ((b), (c)
and (f)), :mod:`.score` (the logistic), :mod:`.roles` (the JPEG-grid roles), :mod:`.detect`
(the main entry, :func:`detect_copy_move`) and :mod:`.maps` (the PNG artifacts).
"""
from .blocks import autocorrelation_peaks, block_shift_votes, exact_block_votes
from .detect import PRINT_REASON, detect_copy_move, rule_refusal
from .keypoints import affine_hypotheses, keypoint_matches
from .maps import label_map_png, mask_png
from .params import CopyMoveParams
from .results import CloneMatch, CopyMoveResult
from .score import AREA_FEATURE_CAP, match_features

__all__ = [
    "AREA_FEATURE_CAP",
    "PRINT_REASON",
    "CloneMatch",
    "CopyMoveParams",
    "CopyMoveResult",
    "affine_hypotheses",
    "autocorrelation_peaks",
    "block_shift_votes",
    "detect_copy_move",
    "exact_block_votes",
    "keypoint_matches",
    "label_map_png",
    "mask_png",
    "match_features",
    "rule_refusal",
]
