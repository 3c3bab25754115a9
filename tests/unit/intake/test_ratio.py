"""Exact thresholds and how their figures read."""

from fractions import Fraction

import pytest

from services.intake.domain.ratio import compare_percent, decimal_text, parse_ratio, percent, share_figure

TWO_THIRDS = Fraction(2, 3)


@pytest.mark.parametrize("text, value", [("2/3", TWO_THIRDS), ("0.5", Fraction(1, 2)), ("50%", Fraction(1, 2)),
                                         ("62.5%", Fraction(5, 8)), ("1", Fraction(1))])
def test_ratios_parse_exactly(text, value):
    assert parse_ratio(text) == value


@pytest.mark.parametrize("text", ["3/2", "-0.1", "abc", "1/0", "120%"])
def test_nonsense_ratios_are_refused(text):
    with pytest.raises(ValueError):
        parse_ratio(text)


def test_exactly_two_thirds_passes_and_one_household_less_fails():
    assert share_figure(60, 90, TWO_THIRDS) == (True, "60/90 = 66.7% ≥ 66.7%")
    assert share_figure(59, 90, TWO_THIRDS) == (False, "59/90 = 65.6% < 66.7%")


def test_the_figure_of_the_issue_reads_as_written():
    assert share_figure(61, 90, TWO_THIRDS) == (True, "61/90 = 67.8% ≥ 66.7%")


def test_values_that_round_alike_are_shown_with_enough_places_to_differ():
    shown, needed = compare_percent(Fraction(1333, 2000), TWO_THIRDS)
    assert (shown, needed) == ("66.65%", "66.67%")
    _, figure = share_figure(1333, 2000, TWO_THIRDS)
    assert figure == "1333/2000 = 66.65% < 66.67%"


def test_no_households_cannot_pass():
    assert share_figure(0, 0, TWO_THIRDS)[0] is False


def test_percent_and_decimal_round_half_up():
    assert percent(Fraction(1, 8)) == "12.5%" and percent(Fraction(1, 16)) == "6.3%"
    assert decimal_text(Fraction(11, 16)) == "0.6875" and decimal_text(Fraction(2, 3)) == "0.6667"
