"""Elamvazhuthi, Oymak, Pasqualetti (arXiv 2312.07851): SDE vs ODE density tracking, with Fokker–Planck
ground truth.

Provenance tags (verified / secondary / derived / reconstructed / not found) are kept on every claim;
see the math reference `docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md`. The claims live in this
package's submodules; `collect_suite` gathers their ``THEOREMS`` and ``FIGURES``.
"""

from sgmverify.run import collect_suite

SUITE = collect_suite(
    __name__,
    name="elamvazhuthi_oymak_pasqualetti_2023",
    title="Elamvazhuthi–Oymak–Pasqualetti: noise in the reverse process",
    reference=(
        "K. Elamvazhuthi, S. Oymak, F. Pasqualetti, Noise in the reverse process improves the "
        "approximation capabilities of diffusion models, arXiv 2312.07851"
    ),
    order=[
        "metric_relations",
        "eta_family",
        "gronwall",
        "high_frequency",
        "non_lipschitz",
        "noise_level",
        "laplace_data",
        "limited_width",
        "separated_modes",
        "prior_mismatch",
        "two_dim",
        "trained",
    ],  # reading order of the report
)
