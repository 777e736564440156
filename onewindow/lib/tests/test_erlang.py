"""Erlang C (no Django): textbook values, the direct formula, and the shape of the curves."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.lib.erlang import erlang_b, erlang_c, wait_exceeds, windows_needed


def direct_erlang_c(c: int, load: float) -> float:
    """The formula as textbooks print it: A^c/c! · c/(c−A) over Σ A^k/k! + that term."""
    top = load**c / math.factorial(c) * c / (c - load)
    return top / (sum(load**k / math.factorial(k) for k in range(c)) + top)


def test_it_matches_textbook_values():
    # M/M/1: a visitor waits with probability ρ.
    assert erlang_c(1, 0.75) == pytest.approx(0.75)
    # M/M/2: C = 2ρ² / (1 + ρ), ρ = A / 2.
    rho = 0.8
    assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho))
    # Three servers, two erlangs: 4/9.
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9)
    # Erlang B, two servers, one erlang: 1/5.
    assert erlang_b(2, 1.0) == pytest.approx(0.2)


def test_it_is_one_when_the_line_cannot_keep_up_and_zero_without_visitors():
    assert erlang_c(2, 2.0) == 1.0
    assert erlang_c(2, 5.0) == 1.0
    assert erlang_c(3, 0.0) == 0.0
    assert wait_exceeds(2, 0, 10, 5) == 0.0
    assert windows_needed(0, 10, 5) == 0


def test_it_finds_the_smallest_number_of_windows():
    # 30 visitors an hour, 10 minutes each (A = 5): with seven windows 11.9 % wait more
    # than 5 minutes, with eight 3.7 %.
    lam, s, t = 30 / 60, 10.0, 5.0
    needed = windows_needed(lam, s, t)
    assert wait_exceeds(needed, lam, s, t) <= 0.10
    assert wait_exceeds(needed - 1, lam, s, t) > 0.10
    assert needed == 8


def test_it_refuses_impossible_inputs():
    with pytest.raises(ValueError):
        erlang_c(-1, 1.0)
    with pytest.raises(ValueError):
        windows_needed(1, 1, 1, share=0)
    with pytest.raises(ValueError):
        wait_exceeds(1, -1, 1, 1)


loads = st.floats(min_value=0.01, max_value=60, allow_nan=False)


@given(load=loads, extra=st.integers(min_value=1, max_value=40))
def test_it_agrees_with_the_direct_formula(load, extra):
    c = math.floor(load) + extra
    assert erlang_c(c, load) == pytest.approx(direct_erlang_c(c, load), rel=1e-9, abs=1e-12)


@given(load=loads, extra=st.integers(min_value=1, max_value=40))
def test_more_windows_never_make_waiting_likelier(load, extra):
    c = math.floor(load) + extra
    assert 0.0 <= erlang_c(c + 1, load) <= erlang_c(c, load) <= 1.0


@given(
    lam=st.floats(min_value=0.01, max_value=5),
    service=st.floats(min_value=0.5, max_value=30),
    t=st.floats(min_value=0, max_value=60),
    c=st.integers(min_value=1, max_value=200),
)
def test_the_tail_falls_with_windows_and_with_time(lam, service, t, c):
    p = wait_exceeds(c, lam, service, t)
    assert 0.0 <= p <= 1.0
    assert wait_exceeds(c + 1, lam, service, t) <= p + 1e-12
    assert wait_exceeds(c, lam, service, t + 1) <= p + 1e-12


@given(
    lam=st.floats(min_value=0.001, max_value=3),
    service=st.floats(min_value=0.5, max_value=30),
    t=st.floats(min_value=0, max_value=60),
    share=st.floats(min_value=0.01, max_value=1),
)
def test_the_answer_is_enough_and_one_less_is_not(lam, service, t, share):
    c = windows_needed(lam, service, t, share)
    assert c > lam * service
    assert wait_exceeds(c, lam, service, t) <= share
    # one window less: unstable (the line grows without end), or the tail too heavy
    if c > 1 and c - 1 > lam * service:
        assert wait_exceeds(c - 1, lam, service, t) > share
