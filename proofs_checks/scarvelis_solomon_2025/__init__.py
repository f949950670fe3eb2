"""Scarvelis, Solomon (arXiv 2509.23092): derivatives of the score and of the samples with respect to the
data distribution.

Provenance tags (verified / secondary / derived / reconstructed / not found) are kept on every claim;
see the math reference `docs/papers/scarvelis_solomon_2025.md`. The claims live in this package's
submodules; `collect_suite` gathers their ``THEOREMS`` and ``FIGURES``.
"""

from sgmverify.run import collect_suite

SUITE = collect_suite(
    __name__,
    name="scarvelis_solomon_2025",
    title="Scarvelis–Solomon: sensitivity of the score and samples to the data",
    reference="C. Scarvelis, J. Solomon, Sensitivity Analysis for Diffusion Models, arXiv 2509.23092",
    order=["score_derivative", "sample_paths", "trained_network", "figures"],  # reading order
)
