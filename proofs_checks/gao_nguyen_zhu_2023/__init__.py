"""Gao, Nguyen, Zhu (arXiv 2311.11003; JMLR 26(43), 2025): W2 convergence for general forward processes.

Provenance tags (verified / secondary / derived / reconstructed / not found) are kept on every claim;
see the math reference `docs/papers/gao_nguyen_zhu_2023.md`. The claims live in this package's
submodules; `collect_suite` gathers their ``THEOREMS`` and ``FIGURES``.
"""

from sgmverify.run import collect_suite

SUITE = collect_suite(
    __name__,
    name="gao_nguyen_zhu_2023",
    title="Gao–Nguyen–Zhu: Wasserstein convergence of SGMs for general forward processes",
    reference=(
        "Gao, Nguyen, Zhu, Wasserstein Convergence Guarantees for a General Class of Score-Based "
        "Generative Models, arXiv 2311.11003 (JMLR 26(43), 2025)"
    ),
    order=[
        "table",
        "contraction",
        "exact",
        "montecarlo",
        "reconstructed",
        "trained",
    ],  # reading order of the report
)
