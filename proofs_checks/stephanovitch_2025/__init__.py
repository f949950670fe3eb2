"""Stéphanovitch (arXiv 2506.19559): regularity of the score, Lipschitz and higher-order bounds adapting to
the data's smoothness.

Provenance tags (verified / secondary / derived / reconstructed / not found) are kept on every claim;
see the math reference `docs/papers/stephanovitch_2025.md`. The claims live in this package's
submodules; `collect_suite` gathers their ``THEOREMS`` and ``FIGURES``.
"""

from sgmverify.run import collect_suite

SUITE = collect_suite(
    __name__,
    name="stephanovitch_2025",
    title="Stéphanovitch: regularity of the score function",
    reference="A. Stéphanovitch, Regularity of the score function in generative models, arXiv 2506.19559",
    order=[
        "forward",
        "regularity",
        "ladder",
        "time_stability",
        "paper_claims",
        "trained",
    ],  # reading order of the report
)
