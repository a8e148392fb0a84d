"""Local noise level and its inconsistencies.

Noise level per block from the finest diagonal wavelet sub-band with the robust median
estimator ``sigma = median(|HH1|) / 0.6745`` (D. L. Donoho, I. M. Johnstone, "Ideal spatial
adaptation by wavelet shrinkage", Biometrika 81(3), 1994), used for splicing localisation by
B. Mahdian, S. Saic, "Using noise inconsistencies for blind image forensics", Image and
Vision Computing 27(10):1497-1503, 2009.

Texture leaks into HH1 and raises the estimate where the content is busy, so the log noise
level is regressed (robustly) on the log texture energy of the same block (from the
horizontal and vertical detail sub-bands) and the *residual* is what is compared across the
picture: a region whose residual sits several robust standard deviations away from the rest
has noise unlike the rest of the picture (pasted from another source, denoised, blurred or
re-noised).

Alternatives measured on CASIA v1 splicing vs authentic (image-level AUC of the peak, 98th
percentile, spread and outlier fraction of the block z-scores; even/odd halves), none
clearly above chance, so this estimator stays: the kurtosis-concentration estimator of
S. Lyu, X. Pan, X. Zhang, "Exposing region splicing forgeries with blind local noise
estimation", IJCV 110(2):202-221, 2014 (4x4 and 8x8 DCT band-pass channels, 32-pixel
windows: AUC 0.47-0.53, and 100-400 s for the 189 pictures), a median-filter residual MAD
(0.42-0.54) and a PCA patch estimator after Pyatykh et al. 2013 (0.47-0.55). With the
ground-truth masks, the spliced region's log noise level (raw or texture-corrected) differs
from the rest by more than 2 robust standard deviations in only 2-12% of the 50 splicings,
whichever estimator: on these small, re-compressed JPEGs the noise trace is mostly gone.

Also measured and not adopted (2026-11, scratch prototype, same CASIA split: sorted names,
even = fit, odd = held-out; 25 splicings and 69-70 authentic per half): noise-residual
*co-occurrences* with unsupervised two-class fitting after D. Cozzolino, G. Poggi,
L. Verdoliva, "Splicebuster: a new blind image splicing detector", IEEE WIFS 2015. Luma
(BT.601, full 384x256 CASIA size); third-order residual ``-x[i] + 3x[i+1] - 3x[i+2] + x[i+3]``
along rows and along columns; quantised ``round(r / q)`` and truncated to ``[-T, T]``
(q = 1, 2 grey levels; T = 1, 2); co-occurrences of 4 consecutive residuals in the
filter's direction (81 or 625 codes, pooled over order reversal and sign: 25 or 169 bins, or
not pooled), horizontal and vertical histograms summed or concatenated; histograms per
8-pixel cell summed over sliding windows of 4-8 cells (32-64 px, stride 8 px; also 16-px
cells, 64-px windows), square-rooted, PCA per picture to 4, 6, 8 or 12 whitened
dimensions; then over the windows (a) one Gaussian, plain and robust (refitted 4 times
on the 75% nearest windows), (b) two-Gaussian EM and (c) Gaussian + uniform EM (30
iterations). Image scores tried: 99th percentile, peak of the 3x3-smoothed map and
fraction above 2, 3, 4 x dims of the (robust) Mahalanobis distance; likelihood gain of the
mixture; minority weight; peak and mean posterior of the outlier class. Over about 75
configurations x 6-12 scores:

* image-level AUC, splicing vs authentic: mean 0.59 on the fit half, 0.63 on the held-out
  half, and the two are *negatively* correlated across configurations (r = -0.18), i.e. the
  differences between settings are noise. Parameters chosen on the fit half (best: q 2, T 2,
  48-px windows, 6 PCA dims, fraction of windows with single-Gaussian Mahalanobis > 3 x
  dims: fit 0.68) give 0.59 held-out; chosen on the held-out half (q 1, T 1, 40-px windows,
  8 dims, peak smoothed Mahalanobis: 0.73) give 0.61 on the fit half. Below the 0.62 bar on
  both sides. Copy-move vs authentic: 0.44-0.50 (no global compression bias: splicings are
  saved *finer* than the authentic files, and spliced vs the 41 authentic files with the
  nearest quantisation table still gives 0.75 for the q 2, T 2, 48-px, 8-dim fraction
  score, so some image-level signal is real but weak).
* pixel F1 against the masks (minority / outlier posterior > 0.5, or robust Mahalanobis >
  2-4 x dims, window values averaged per pixel): 0.06-0.22, mean 0.17, while marking the
  whole picture scores 0.21. With the ground-truth masks, windows inside the splice are
  only slightly more outlying than those outside (window-level AUC 0.53-0.56; two-Gaussian
  posterior 0.50, its minority class the splice in 16-21% of pictures and the host in as
  many). A *supervised* oracle (LDA on the PCA features, trained on the mask's windows,
  2-fold cross-validated inside each picture) separates the splice at window AUC 0.96
  (mean), but the same masks placed on authentic pictures already reach 0.83: most of what
  separates is content (the pasted object), which the unsupervised fit cannot tell from
  the picture's own variety.
* for contrast, on real camera originals of the corpus (Canon EOS REBEL T3i, Olympus PEN
  E-P3, Samsung SM-J327T1, Apple iPhone 4) with Gaussian noise of sigma 3 or 10 grey levels
  added to a quarter of the frame, the robust Mahalanobis map puts the re-noised windows
  above the rest with window-level AUC 0.74-1.00 (3 grey levels) and 0.98-1.00 (10): the
  method sees real noise differences; CASIA v1's splices mostly do not carry one. (The
  noise check with the wavelet estimator below, at the same pastes, reports a region only
  on the Olympus picture, at 3, 6 and 10 grey levels; on the Canon picture, foliage above
  and smooth ground below spread the texture-corrected residuals so widely that the pasted
  blocks stay under |z| 3. A possible follow-up, not a CASIA improvement.)
* time (features + PCA + EM, one core, 12 MP picture reduced first): 0.06-0.09 s at 1024-2048
  px working size with the window grid held at ~42x58 windows, 0.19 / 0.68 / 1.35 s with
  fixed 8-px cells at 1024 / 1536 / 2048 px.

Second trial of the co-occurrence map as the check's estimator, on real photos (2026-11,
scratch ``/tmp/noise2_work``; not adopted): the single robust Gaussian variant above as a
complete check (luma at <= 2048 px, 8-32 px cells so the grid stays ~80 cells long, 5-cell
windows, q 2, T 2, 169 pooled bins, 8 whitened PCA dims, refitted 4 times on the nearest 75%
of windows, windows with > 30% clipped pixels left out; cells whose mean squared distance
per dimension exceeds a threshold form the regions, 2-50% of the frame; 0.08 s CPU for the
map of a 2048x1536 luma, one thread). Test set: each unedited camera original of
``exif/metadata-extractor-images/jpg`` (25, as in ``benchmarks/editing_accuracy.py``) and
each CASIA v1 authentic picture (139), with one seeded random rectangle of 10-30% of the
frame re-noised (the same Gaussian noise on R, G and B: sigma 3 or 10 grey levels), blurred
(Gaussian sigma 2) or denoised (``cv2.fastNlMeansDenoisingColored``, h = 10), saved as JPEG
quality 92 (the 60x60 Pentax file is too small for both checks). Detected = a reported
region with IoU > 0.3 with the rectangle. Camera originals (25), old = this module's wavelet
check, new at distance threshold 3 / 10 / 30 (and 30 with the fit on the nearest 50%):

=============  =====  ===========================================
edit           old    new: t3 / t10 / t30 / keep-50% t30
=============  =====  ===========================================
noise 3        2      6 / 3 / 0 / 3
noise 10       18     9 / 2 / 1 / 4
blur 2         1      21 / 13 / 6 / 21
denoise 10     3      21 / 16 / 6 / 16
untouched      0      24 / 16 / 7 / 17 files flagged
... of which   0      19 / 11 / 2 / 12 medium
=============  =====  ===========================================

CASIA v1 authentic (139): noise 3: old 0, new 10 / 4 / 2 / 5; noise 10: 18 vs 7 / 4 / 2 / 9;
blur: 6 vs 104 / 59 / 41 / 93; denoise: 0 vs 65 / 39 / 12 / 40; untouched files flagged: old
6 (1 medium) vs 132 / 87 / 43 / 76 (109 / 58 / 26 / 56 medium). The chance level (a region
of the untouched picture overlapping the rectangle) is 5 / 3 / 1 / 4 of 25 and 20 / 4 / 1 /
9 of 139. So the map finds smoothing (blur, denoising) that the wavelet check misses, but
only where it also flags most untouched photos: natural windows (flat sky or walls flattened
by JPEG, clipped areas, fine regular texture, edges) are heavy-tailed outliers of one
Gaussian (98th percentile of the cell distance on the untouched camera photos: median 20;
largest cell value 430), and *added* noise is found less often than by the wavelet check,
because the third-order residual of camera noise is already mostly at the truncation, so re-
noised windows become more uniform, i.e. closer to the fitted centre (cell-level AUC, re-
noised vs the rest, median over the camera photos: 0.40 at sigma 3, 0.28 at sigma 10; blur
0.92, denoise 0.91). Other settings on the camera photos (step 1/4/8, T 1/3, 3 or 16 PCA
dims, 3-cell windows, 50% trimming) give noise AUCs 0.22-0.61 and blur 0.61-0.98, and an
edited rectangle's median distance exceeds the untouched photo's own 98th percentile in at
most 25% of re-noised and 46% of blurred photos. The earlier 0.74-1.00 figures came from
four photos, one fixed quarter-frame rectangle, no re-compression.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pywt
from scipy import ndimage as ndi


def grey(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma of an RGB ``uint8`` array, as float32 grey levels.

    Accumulated one channel at a time (the same float32 operations in the same order as
    ``0.299 R + 0.587 G + 0.114 B``), so a 12 MP picture never has a float copy of all three
    channels in memory.
    """
    out = rgb[..., 0].astype(np.float32)
    out *= np.float32(0.299)
    for k, weight in ((1, 0.587), (2, 0.114)):
        channel = rgb[..., k].astype(np.float32)
        channel *= np.float32(weight)
        out += channel
    return out


def box_reduce(img: np.ndarray, factor: int) -> np.ndarray:
    """Average ``factor`` x ``factor`` cells (integer reduction; no interpolation)."""
    if factor <= 1:
        return img
    h, w = (img.shape[0] // factor) * factor, (img.shape[1] // factor) * factor
    return img[:h, :w].reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def noise_map(luma: np.ndarray, *, block: int = 32, wavelet: str = "db4") -> dict[str, Any]:
    """Per-block noise level (grey levels) and texture energy of a grey picture.

    ``block`` is the block side in pixels of ``luma`` (so HH1 cells of ``block // 2``).
    Returns ``sigma`` and ``texture`` (2-D arrays over the blocks) and ``saturated`` (fraction
    of near-black or near-white pixels per block, where noise is clipped away). ``texture``
    is the RMS of the horizontal and vertical detail sub-bands *in excess of* the noise
    (white noise puts the same energy in all three detail sub-bands), so that noise is not
    mistaken for texture.
    """
    if luma.ndim != 2 or min(luma.shape) < 2 * block:
        raise ValueError(f"the picture is smaller than two {block}-pixel noise blocks")
    # symmetric extension: no wrap-around edge at the borders; the sub-bands are a few
    # samples longer than half the picture, which the block grid below ignores
    _, (lh, hl, hh) = pywt.dwt2(luma.astype(np.float32), wavelet, mode="symmetric")
    cell = block // 2
    bh, bw = luma.shape[0] // block, luma.shape[1] // block

    def cells(a: np.ndarray) -> np.ndarray:
        return a[:bh * cell, :bw * cell].reshape(bh, cell, bw, cell).transpose(0, 2, 1, 3) \
            .reshape(bh, bw, cell * cell)

    sigma = np.median(np.abs(cells(hh)), axis=2) / 0.6745
    detail = np.mean(cells(lh) ** 2 + cells(hl) ** 2, axis=2) / 2.0
    texture = np.sqrt(np.maximum(detail - sigma ** 2, 0.0))
    lum = luma[:bh * block, :bw * block].reshape(bh, block, bw, block)
    saturated = ((lum <= 3) | (lum >= 252)).mean(axis=(1, 3))
    return {"sigma": sigma, "texture": texture, "saturated": saturated}


def inconsistency(sigma: np.ndarray, texture: np.ndarray, saturated: np.ndarray, *,
                  smooth: float = 1.0, max_saturated: float = 0.3,
                  min_sigma: float = 0.05) -> dict[str, Any]:
    """Robust z-scores of the texture-corrected log noise level, per block.

    The log noise level is fitted against ``log(1 + texture)`` with an iteratively
    reweighted (Huber) line; the residuals are centred on their median and scaled by
    1.4826 x MAD (at least 0.05). Blocks with more than ``max_saturated`` clipped pixels are
    left out (z = 0). Returns ``z`` (smoothed
    by a Gaussian of ``smooth`` blocks), ``residual`` and the ``fit`` coefficients.
    """
    valid = (saturated <= max_saturated) & (sigma > min_sigma)
    ls = np.log(np.maximum(sigma, min_sigma))
    lt = np.log1p(texture)
    z = np.zeros_like(ls)
    if valid.sum() < 8:
        return {"z": z, "residual": z, "fit": None, "valid_fraction": float(valid.mean())}
    x, y = lt[valid], ls[valid]
    design = np.stack([np.ones_like(x), x], axis=1)
    weights = np.ones_like(x)
    coef = np.zeros(2)
    for _ in range(6):
        sw = np.sqrt(weights)
        coef = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)[0]
        r = y - design @ coef
        scale = 1.4826 * np.median(np.abs(r - np.median(r))) + 1e-6
        weights = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(r), 1e-9))
    resid = ls - (coef[0] + coef[1] * lt)
    center = np.median(resid[valid])
    scale = max(1.4826 * float(np.median(np.abs(resid[valid] - center))), 0.05)
    z = np.where(valid, (resid - center) / scale, 0.0)
    if smooth > 0:
        z = ndi.gaussian_filter(z, smooth, mode="nearest")
    return {"z": z, "residual": resid, "fit": [float(coef[0]), float(coef[1])],
            "valid_fraction": round(float(valid.mean()), 4)}
