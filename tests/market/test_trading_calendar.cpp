// Trading calendar: trading days are weekdays that are not listed holidays; monthly index futures
// expire on the third Friday, moved to the previous trading day when that Friday is a holiday;
// dates are read from strict ISO text (YYYY-MM-DD) and anything else is refused.
#include <catch2/catch.hpp>

#include "sim/market/calendar.hpp"

using namespace stampede;
using namespace std::chrono;

namespace {
Date d(int y, unsigned m, unsigned dd) { return Date{year{y}, month{m}, day{dd}}; }

// The 2024 Spring Festival closure (Feb 10-17 2024; Sat/Sun are closed anyway) plus New Year.
std::vector<Date> holidays_2024() {
  return {d(2024, 1, 1), d(2024, 2, 9), d(2024, 2, 12), d(2024, 2, 13), d(2024, 2, 14), d(2024, 2, 15),
          d(2024, 2, 16)};
}
}  // namespace

TEST_CASE("trading days skip Saturdays and Sundays", "[calendar]") {
  // 2024-01-02 is a Tuesday; 6-7 and 13-14 January are weekends.
  TradingCalendar cal(d(2024, 1, 2), 10, {});
  REQUIRE(cal.size() == 10);
  const std::vector<Date> expected{d(2024, 1, 2),  d(2024, 1, 3),  d(2024, 1, 4),  d(2024, 1, 5),
                                   d(2024, 1, 8),  d(2024, 1, 9),  d(2024, 1, 10), d(2024, 1, 11),
                                   d(2024, 1, 12), d(2024, 1, 15)};
  CHECK(cal.dates() == expected);
  CHECK(cal.iso(0) == "2024-01-02");
  CHECK(cal.iso(4) == "2024-01-08");
  CHECK(cal.date(9) == d(2024, 1, 15));
}

TEST_CASE("a start date on a weekend begins on the following Monday", "[calendar]") {
  TradingCalendar cal(d(2024, 1, 6), 2, {});   // Saturday
  CHECK(cal.date(0) == d(2024, 1, 8));
  CHECK(cal.date(1) == d(2024, 1, 9));
}

TEST_CASE("listed holidays are skipped", "[calendar]") {
  SECTION("New Year's Day 2024 (a Monday)") {
    TradingCalendar cal(d(2024, 1, 1), 3, holidays_2024());
    CHECK(cal.dates() == std::vector<Date>{d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)});
  }
  SECTION("the Spring Festival closure: Thursday 8 Feb is followed by Monday 19 Feb") {
    TradingCalendar cal(d(2024, 2, 5), 6, holidays_2024());
    CHECK(cal.dates() ==
          std::vector<Date>{d(2024, 2, 5), d(2024, 2, 6), d(2024, 2, 7), d(2024, 2, 8), d(2024, 2, 19), d(2024, 2, 20)});
  }
  SECTION("holidays may be given in any order") {
    TradingCalendar cal(d(2024, 2, 8), 2, {d(2024, 2, 16), d(2024, 2, 9), d(2024, 2, 14), d(2024, 2, 12),
                                            d(2024, 2, 15), d(2024, 2, 13)});
    CHECK(cal.dates() == std::vector<Date>{d(2024, 2, 8), d(2024, 2, 19)});
  }
  TradingCalendar cal(d(2024, 1, 2), 5, holidays_2024());
  CHECK(cal.is_holiday(d(2024, 2, 12)));
  CHECK(cal.is_holiday(d(2024, 1, 1)));
  CHECK_FALSE(cal.is_holiday(d(2024, 2, 8)));
  CHECK_FALSE(cal.is_holiday(d(2024, 2, 10)));   // a Saturday is not a listed holiday
}

TEST_CASE("the third Friday of a month", "[calendar]") {
  CHECK(third_friday(year{2024}, January) == d(2024, 1, 19));
  CHECK(third_friday(year{2024}, February) == d(2024, 2, 16));
  CHECK(third_friday(year{2024}, March) == d(2024, 3, 15));
  CHECK(third_friday(year{2024}, June) == d(2024, 6, 21));
  CHECK(third_friday(year{2024}, September) == d(2024, 9, 20));
  CHECK(third_friday(year{2024}, November) == d(2024, 11, 15));   // 1 Nov 2024 is itself a Friday
  CHECK(third_friday(year{2024}, December) == d(2024, 12, 20));
}

TEST_CASE("an expiry on a holiday moves to the next trading day (CFFEX)", "[calendar]") {
  TradingCalendar cal(d(2024, 1, 2), 40, holidays_2024());
  // February 2024: the third Friday (16th) falls in the Spring Festival closure (9-16 Feb);
  // the first trading day after it is Monday 19 February.
  CHECK(cal.first_trading_day_on_or_after(third_friday(year{2024}, February)) == d(2024, 2, 19));
  // A third Friday that is a trading day is its own expiry.
  CHECK(cal.first_trading_day_on_or_after(third_friday(year{2024}, January)) == d(2024, 1, 19));
  CHECK(cal.first_trading_day_on_or_after(third_friday(year{2024}, March)) == d(2024, 3, 15));
  // Weekends move on to Monday, and through a Monday holiday to Tuesday.
  CHECK(cal.first_trading_day_on_or_after(d(2024, 1, 6)) == d(2024, 1, 8));
  CHECK(cal.first_trading_day_on_or_after(d(2023, 12, 30)) == d(2024, 1, 2));
}

TEST_CASE("days_between counts calendar days, across month ends and the leap day", "[calendar]") {
  CHECK(days_between(d(2024, 1, 2), d(2024, 1, 19)) == 17);
  CHECK(days_between(d(2024, 1, 19), d(2024, 1, 2)) == -17);
  CHECK(days_between(d(2024, 2, 28), d(2024, 3, 1)) == 2);   // 2024 is a leap year
  CHECK(days_between(d(2023, 12, 31), d(2024, 12, 31)) == 366);
  CHECK(days_between(d(2024, 3, 15), d(2024, 3, 15)) == 0);
}

TEST_CASE("parse_iso_date reads real dates in YYYY-MM-DD form", "[calendar]") {
  CHECK(parse_iso_date("2024-01-02") == d(2024, 1, 2));
  CHECK(parse_iso_date("2024-02-29") == d(2024, 2, 29));   // leap day exists in 2024
  CHECK(parse_iso_date("2024-12-31") == d(2024, 12, 31));
  CHECK(to_iso(d(2024, 2, 8)) == "2024-02-08");
  CHECK(to_iso(*parse_iso_date("2024-03-15")) == "2024-03-15");
}

TEST_CASE("parse_iso_date rejects days that do not exist", "[calendar]") {
  CHECK_FALSE(parse_iso_date("2024-02-30").has_value());
  CHECK_FALSE(parse_iso_date("2023-02-29").has_value());   // not a leap year
  CHECK_FALSE(parse_iso_date("2024-04-31").has_value());
  CHECK_FALSE(parse_iso_date("2024-13-01").has_value());
  CHECK_FALSE(parse_iso_date("2024-00-10").has_value());
  CHECK_FALSE(parse_iso_date("2024-01-00").has_value());
}

TEST_CASE("parse_iso_date rejects malformed text", "[calendar]") {
  for (const char* bad : {"", "2024", "2024-1-02", "2024-01-2", "2024/01/02", "20240102", "2024-01-02 ", " 2024-01-02",
                          "2024-01-0x", "abcd-ef-gh", "2024--1-02", "2024-01--2", "2024-+1-02", "02-01-2024"}) {
    INFO("text: '" << bad << "'");
    CHECK_FALSE(parse_iso_date(bad).has_value());
  }
}

TEST_CASE("parse_iso_date rejects a sign in the year field", "[calendar]") {
  // Regression: std::from_chars for a signed int accepts a leading '-'.
  CHECK_FALSE(parse_iso_date("-024-01-02").has_value());
}
