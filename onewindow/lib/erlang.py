"""Erlang C: how many windows a line needs so that visitors rarely wait long.

The queue is modelled as M/M/c: visitors arrive at random at rate λ (per hour), each
window serves at rate μ = 1 / mean service time, and c windows work in parallel. The
offered load is A = λ / μ (in erlangs: the number of windows that would be busy all the
time). With c > A windows the queue is stable and

    C(c, A)   = probability that an arriving visitor has to wait (Erlang's C formula)
    P(W > t)  = C(c, A) · e^(−(cμ − λ)·t)

With c ≤ A the line grows without end: every visitor waits (C = 1, P(W > t) = 1).
`windows_needed` is the smallest c with P(W > t) ≤ the allowed share (0.10 keeps the
90th percentile of the wait under t). Pure arithmetic, no Django.
"""

from __future__ import annotations

import math

# A bound on the answer: no hall opens more windows for one line.
MAX_WINDOWS = 500


def erlang_b(c: int, load: float) -> float:
    """Erlang's B formula (blocking probability) by the stable recursion
    B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))."""
    if c < 0 or load < 0:
        raise ValueError("c and the load must not be negative")
    b = 1.0
    for k in range(1, c + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(c: int, load: float) -> float:
    """Probability that a visitor waits, with c windows and offered load A (erlangs):
    C = c·B / (c − A·(1 − B)); 1 when c ≤ A (the line is unstable)."""
    if c < 0 or load < 0:
        raise ValueError("c and the load must not be negative")
    if load == 0:
        return 0.0
    if c <= load:
        return 1.0
    b = erlang_b(c, load)
    return min(1.0, c * b / (c - load * (1 - b)))


def wait_exceeds(c: int, arrivals: float, service: float, t: float) -> float:
    """P(W > t) for c windows, `arrivals` per unit of time, mean service time `service`
    and a wait of `t`, all in the same unit of time."""
    if arrivals < 0 or service < 0 or t < 0:
        raise ValueError("rates and times must not be negative")
    if arrivals == 0 or service == 0:
        return 0.0
    load = arrivals * service
    if c <= load:
        return 1.0
    mu = 1.0 / service
    return erlang_c(c, load) * math.exp(-(c * mu - arrivals) * t)


def windows_needed(arrivals: float, service: float, t: float, share: float = 0.10) -> int:
    """The smallest number of windows c with P(W > t) ≤ share (0 when nobody comes).

    Raises ValueError for a share outside (0, 1] or an answer above MAX_WINDOWS."""
    if not 0 < share <= 1:
        raise ValueError("the share must be in (0, 1]")
    if arrivals == 0 or service == 0:
        return 0
    c = max(1, math.floor(arrivals * service) + 1)
    while wait_exceeds(c, arrivals, service, t) > share:
        c += 1
        if c > MAX_WINDOWS:
            raise ValueError("more windows than any hall opens")
    return c
