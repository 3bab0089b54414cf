"""pass^k: the chance that all of k independent trials of a scenario pass (τ-bench's reliability measure).

With n trials of which c passed, the unbiased estimate is C(c, k) / C(n, k) (Yao et al., 2024,
"τ-bench", section 4). pass^1 is the plain success rate; pass^k falls as k grows unless the agent
succeeds every time, which is what a desk answering thousands of callers needs.
"""

from __future__ import annotations

from math import comb


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Estimate pass^k from ``c`` passes out of ``n`` trials.

    Args:
        n: Trials run (≥ 1).
        c: Trials passed (0 ≤ c ≤ n).
        k: Trials that must all pass (1 ≤ k ≤ n).

    Returns:
        A probability in [0, 1].

    Raises:
        ValueError: the counts are impossible.
    """
    if not (n >= 1 and 0 <= c <= n and 1 <= k <= n):
        raise ValueError(f"pass^k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n (n={n}, c={c}, k={k})")
    return comb(c, k) / comb(n, k)


def curve(n: int, c: int) -> dict[str, float]:
    """pass^k for k = 1…n, keyed by ``str(k)`` (as the results JSON stores it), rounded to 4 places."""
    return {str(k): round(pass_hat_k(n, c, k), 4) for k in range(1, n + 1)}


def suite_curve(counts: list[tuple[int, int]]) -> dict[str, float]:
    """The suite's pass^k for every k up to the smallest n: the mean over scenarios of their pass^k.

    Args:
        counts: ``(n, c)`` per scenario.
    """
    if not counts:
        return {}
    top = min(n for n, _ in counts)
    return {str(k): round(sum(pass_hat_k(n, c, k) for n, c in counts) / len(counts), 4) for k in range(1, top + 1)}
