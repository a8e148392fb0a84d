"""The parameters of copy-move detection: one frozen dataclass, the only place they live.

The check (:mod:`forensics.checks.copy_move`) holds one instance; every other module of this
package takes it as ``p``. The score weights were fitted by ``python -m
benchmarks.copymove_accuracy --fit`` (see :attr:`CopyMoveParams.score_weights`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CopyMoveParams:
    """Parameters of copy-move detection (the one place they live).

    Sizes are in pixels of the named working image; the three working sizes are bounded, so
    the cost does not grow with the stored picture.
    """

    # --- working sizes
    keypoint_max_side: int = 1152
    """Keypoints are found on the picture reduced to at most this long side (~1 MP at 4:3)."""
    keypoint_min_side: int = 768
    """Smaller pictures are enlarged (bicubic) to this long side for keypoints only, so that
    small clones still yield enough of them (CASIA's 384x256 pictures are doubled)."""
    dense_max_side: int = 1024
    """Verification and localisation run at the stored size up to this long side."""
    block_max_side: int = 512
    """The block-matching vote runs at most at this long side (its shifts are refined at the
    verification size)."""

    # --- keypoints (Amerini et al. 2011)
    max_keypoints: int = 4000
    sift_contrast: float = 0.02
    """SIFT contrast threshold (OpenCV's default is 0.04; lower finds more in flat areas)."""
    g2nn_ratio: float = 0.5
    """Generalised 2NN test: keep neighbour i while d_i / d_(i+1) < this."""
    g2nn_neighbours: int = 8
    max_matches: int = 3000
    cluster_distance: float = 0.06
    """Single-linkage cut, as a fraction of the keypoint image's diagonal."""
    min_inliers: int = 5
    """RANSAC inliers (matched keypoint pairs) needed for an affine hypothesis."""
    ransac_threshold: float = 3.0
    """RANSAC reprojection tolerance, keypoint-image pixels."""
    max_scale_change: float = 3.0
    """Affine hypotheses scaling by more than this (or less than its inverse) are dropped."""
    mirror: bool = True
    """Also match keypoints against their mirror images (SIFT is not mirror invariant)."""

    # --- blocks (Fridrich et al. 2003)
    block: int = 8
    block_min_std: float = 1.0
    """Blocks with less detail than this (standard deviation of the high-passed grey levels)
    do not vote: a smooth block resembles all its neighbours."""
    block_q_dc: float = 12.0
    block_q_ac: float = 9.0
    """Quantisation steps of the orthonormal DCT coefficients (DC, then AC with u+v <= 2)."""
    block_sort_window: int = 4
    max_block_candidates: int = 6
    min_block_votes: int = 6
    autocorr_peaks: int = 5
    exact_votes: bool = True
    """Also vote with bit-identical blocks at the stored size (lossless copies in PNG etc.)."""
    exact_min_std: float = 1.0
    min_exact_votes: int = 20

    # --- verification
    min_shift: float = 12.0
    """Source and target must be at least this far apart (verification pixels)."""
    highpass_sigma: float = 2.0
    zncc_window: int = 7
    zncc_threshold: float = 0.85
    min_local_var: float = 1.0
    """High-passed grey-level variance below which a pixel cannot be matched (flat)."""
    distinct_delta: int = 3
    distinct_margin: float = 0.25
    """A pixel matches only if its ZNCC beats the transform moved by ``distinct_delta`` px by
    this much (straight edges and stripes match along themselves; clones do not)."""
    min_region_fraction: float = 0.0004
    """Verified regions smaller than this fraction of the picture are dropped ..."""
    min_region_pixels: int = 120
    """... and so are those under this many verification pixels."""
    close_radius: int = 3
    grow_threshold: float = 0.5
    """The shown region grows from the strict matches into connected pixels whose ZNCC is at
    least this (localisation only; the score is measured on the strict matches) ..."""
    grow_radius: int = 6
    """... and, within this many pixels of them, into pixels whose colour matches."""
    exact_residual: float = 4.0
    """Grey levels: a colour residual under this counts as an exact copy."""
    periodic_threshold: float = 0.3
    """A region whose content repeats again one more shift away on more than this fraction
    of its pixels is repeated structure (a lattice), not a clone."""
    max_flat_fraction: float = 0.3
    """Matches with more than this share of perfectly flat (3x3 colour range <= 1, which
    camera noise never gives) or clipped (near-black or near-white) pixels are refused:
    overlays, captions and graphics repeat exactly, and clipped areas carry no detail."""
    min_aperture: float = 0.08
    """Matches whose gradient energy along the displacement is under this share are refused
    (aperture problem: edges and stripes parallel to the shift)."""
    max_candidates: int = 24

    # --- repeated print: the shape repeats, its fine noise does not (rule (f))
    noise_rule: bool = True
    """Discount matches whose fine noise does not correlate between the two regions (see
    :func:`forensics.editing.copymove.repeats._noise_correlation`)."""
    noise_sigma: float = 1.0
    """The fine residual is the grey picture minus its Gaussian blur of this sigma (pixels)."""
    noise_gradient_sigma: float = 1.5
    noise_max_gradient: float = 4.0
    """Interior pixels: the grey-level gradient (after a Gaussian blur of
    ``noise_gradient_sigma``) is under this many grey levels per pixel at both ends, so the
    shape's edges, which any two instances of a print share, are left out. 4 rather than 2:
    as well separated on the corpus (see ``noise_max_correlation``) and more pixels to
    measure, so the sign stays measurable when reduced to 75 % and re-saved (2 left 14-17
    interior pixels there, and the match was reported again)."""
    noise_near_core: int = 3
    """Interior pixels lie within this many pixels of the strict matches (in the region
    shown), inside and around the matched strokes."""
    noise_min_pixels: int = 60
    noise_min_std: float = 0.5
    """The test needs at least this many interior pixels whose fine residual varies by at
    least this much (grey levels, standard deviation, at both ends); otherwise it is not
    measurable (flat graphics, or noise lost to compression) and the match is kept."""
    noise_max_correlation: float = 0.3
    """A match whose interior fine residuals correlate less than this (Pearson r) between
    its two regions is discounted as repeated print or a repeated object. Measured on the
    corpus (every verified, otherwise unrefused candidate of score >= ``report_score``): the
    camera sign's repeated digits (``exif/metadata-extractor-images/jpg/Sony DSC-HX5V
    (2).jpg``) give r 0.05 (0.02-0.14 re-saved at JPEG 95-90, also reduced to 75 %); the 75
    such candidates on the ground truth of CASIA v1 and NoSo clones give 0.02 (one: CASIA
    ``Sp_S_NNN_T_txt0071``, a copy of flat printed paper whose noise JPEG re-compression
    replaced; lost to the rule) then 0.53 and up; the other authentic candidates 0.9 and up
    (pixel-identical rendered text of a screenshot). Clones planted in 12 corpus camera
    photos (858 to 4032 px, JPEG 92 and 80): 0.45 and up, 30 of 48 found with the rule as
    without. One real negative only: weakly calibrated. Known weakness: a digit copied as
    pixels over another on a flat generated sign, re-saved as JPEG 92, gives 0.29-0.33
    (JPEG replaces flat areas' fine noise), so 2 of 4 are discounted, at JPEG 80 all 4
    (``python -m benchmarks.copymove_accuracy --print-only``)."""

    # --- calibrated score: logistic regression on the match features (see the benchmark)
    score_weights: tuple[float, ...] = (2.679, 0.147, -2.447, 1.279, 0.619, 0.746, 0.049)
    """Logistic score of a verified match: intercept, then the weights of (see
    :func:`match_features`) median ZNCC, ln(1 + median colour residual), exact-copy
    fraction, min(ln(region fraction x 1000), 2.5), competitor margin and aperture share.
    Fitted by ``python -m benchmarks.copymove_accuracy --fit``: L2-regularised (lambda 1)
    logistic regression on the verified, non-periodic candidate regions of the *even*
    numbered CASIA v1 copy-move and authentic images (true = lies on the ground-truth
    mask); the benchmark reports the odd (held-out) half separately."""
    report_score: float = 0.5
    """A match is reported as a clone when its score reaches this: the logistic's own
    decision boundary (on the fit half of CASIA v1 it raises no false positive)."""
    confident_score: float = 0.9
    """Reported matches scoring this much get *high* confidence (0.7 and up: medium)."""
    role_z: float = 5.0
    """The pasted copy is named when its moved-JPEG-grid z-score reaches this ..."""
    role_z_other: float = 2.0
    """... and the other region's stays under this (else the roles stay undetermined)."""
