// The index futures market (CFFEX IM style): tick 0.2 points, 200 yuan per point; a front and a
// next monthly contract expiring on the third Friday (the previous trading day if that is a
// holiday); price band +-10% of the previous settlement; daily settlement from the VWAP of the
// settlement window; final settlement to the average index over the final window; rolling.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/market/futures.hpp"

using namespace stampede;
using namespace std::chrono;

namespace {
Date d(int y, unsigned m, unsigned dd) { return Date{year{y}, month{m}, day{dd}}; }

TradingCalendar calendar_2024() {
  return TradingCalendar(d(2024, 1, 2), 120,
                         {d(2024, 1, 1), d(2024, 2, 9), d(2024, 2, 12), d(2024, 2, 13), d(2024, 2, 14),
                          d(2024, 2, 15), d(2024, 2, 16), d(2024, 4, 4), d(2024, 4, 5)});
}

FuturesSpec flat_basis() {
  FuturesSpec s;
  s.listing_basis_annual = 0.0;   // new contracts listed exactly at the index
  return s;
}
}  // namespace

TEST_CASE("one tick of IM is 0.2 points * 200 yuan = 40 yuan = 4,000 fen", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(FuturesSpec{}, cal);
  CHECK(m.tick_value_fen() == 4'000);
  CHECK(m.to_ticks(5400.0) == 27'000);
  CHECK(m.to_ticks(5400.2) == 27'001);
  CHECK(m.to_points(27'001) == Approx(5400.2).epsilon(1e-12));
  FuturesSpec ic;
  ic.tick_points = 0.2;
  ic.multiplier = 300;   // IF-style multiplier: 0.2 * 300 = 60 yuan
  CHECK(FuturesMarket(ic, cal).tick_value_fen() == 6'000);
}

TEST_CASE("a tick value that is not a whole number of fen is refused", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesSpec s;
  s.tick_points = 0.00001;   // 0.00001 * 200 * 100 = 0.2 fen
  CHECK_THROWS_AS(FuturesMarket(s, cal), std::invalid_argument);
}

TEST_CASE("listing in early January gives IM2401 (expiring 19 Jan) and IM2402 (19 Feb)", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  CHECK(m.contract(0).code == "IM2401");
  CHECK(m.contract(0).expiry == d(2024, 1, 19));
  CHECK(m.contract(1).code == "IM2402");
  // The third Friday of February 2024 (16th) is in the Spring Festival closure: CFFEX moves the
  // expiry to the next trading day, Monday the 19th.
  CHECK(m.contract(1).expiry == d(2024, 2, 19));
  CHECK(m.contract(0).prev_settlement == 27'000);
  CHECK(m.contract(1).prev_settlement == 27'000);
  CHECK(m.days_to_expiry(0, d(2024, 1, 2)) == 17);
  CHECK(m.days_to_expiry(1, d(2024, 1, 2)) == 48);
  CHECK(m.days_to_expiry(0, d(2024, 1, 19)) == 0);
}

TEST_CASE("on the expiry day itself the expiring contract is still the front", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 19), 5400.0);
  CHECK(m.contract(0).code == "IM2401");
  CHECK(m.front_expires(d(2024, 1, 19)));
  CHECK_FALSE(m.front_expires(d(2024, 1, 18)));
}

TEST_CASE("listing after the January expiry (start 2024-01-22) gives IM2402 and IM2403", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 22), 5400.0);
  CHECK(m.contract(0).code == "IM2402");
  CHECK(m.contract(0).expiry == d(2024, 2, 19));
  CHECK(m.contract(1).code == "IM2403");
  CHECK(m.contract(1).expiry == d(2024, 3, 15));
  CHECK(m.days_to_expiry(0, d(2024, 1, 22)) == 28);
  CHECK(m.days_to_expiry(1, d(2024, 1, 22)) == 53);
}

TEST_CASE("new contracts are listed at the index moved by the annual listing basis", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(FuturesSpec{}, cal);   // basis -6% a year
  m.list_initial(d(2024, 1, 2), 5400.0);
  // IM2401, 17 days: 5400 * (1 - 0.06 * 17/365) = 5384.9096 points = 26,924.55 ticks -> 26,925.
  CHECK(m.contract(0).prev_settlement == 26'925);
  // IM2402, 48 days: 5400 * (1 - 0.06 * 48/365) = 5357.3918 points = 26,786.96 ticks -> 26,787.
  CHECK(m.contract(1).prev_settlement == 26'787);
}

TEST_CASE("the price band is +-10% of the previous settlement, inside whole ticks", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  CHECK(m.band_upper(0) == 29'700);
  CHECK(m.band_lower(0) == 24'300);
  m.contract(1).prev_settlement = 27'003;   // 10% = 2,700.3 ticks: the band rounds inwards
  CHECK(m.band_upper(1) == 29'703);
  CHECK(m.band_lower(1) == 24'303);
  m.contract(1).prev_settlement = 26'925;   // 10% = 2,692.5 ticks
  CHECK(m.band_upper(1) == 29'617);
  CHECK(m.band_lower(1) == 24'233);
}

TEST_CASE("margin per contract is 12% of the contract value at the previous settlement", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  // 27,000 ticks * 4,000 fen = 108,000,000 fen (1.08 million yuan) per contract; 12% = 12,960,000.
  CHECK(m.margin_per_contract(0) == 12'960'000);
  m.contract(1).prev_settlement = 25'001;   // 25,001 * 4,000 * 0.12 = 12,000,480
  CHECK(m.margins_per_contract() == std::array<Fen, kFuturesSlots>{12'960'000, 12'000'480});
}

TEST_CASE("margins at 13% and 15% are the exact fen amounts", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesSpec s = flat_basis();
  s.margin_rate = 0.13;
  FuturesMarket m13(s, cal);
  m13.list_initial(d(2024, 1, 2), 5400.0);
  CHECK(m13.margin_per_contract(0) == 14'040'000);   // 108,000,000 * 13%
  s.margin_rate = 0.15;
  FuturesMarket m15(s, cal);
  m15.list_initial(d(2024, 1, 2), 5400.0);
  CHECK(m15.margin_per_contract(0) == 16'200'000);   // 108,000,000 * 15%
}

TEST_CASE("margin at a 14% rate is the exact fen amount, not one fen more", "[futures]") {
  // Regression: a floating-point ceil(prev * tick_value * 0.14) added one fen for most prices.
  const TradingCalendar cal = calendar_2024();
  FuturesSpec s = flat_basis();
  s.margin_rate = 0.14;
  FuturesMarket m(s, cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  // 27,000 ticks * 4,000 fen = 108,000,000 fen; 14% = 15,120,000 fen exactly.
  CHECK(m.margin_per_contract(0) == 15'120'000);
  m.contract(0).prev_settlement = 25'001;   // 100,004,000 * 14% = 14,000,560
  CHECK(m.margin_per_contract(0) == 14'000'560);
}

TEST_CASE("price_or_settlement is today's last trade, else the previous settlement", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  m.start_day();
  CHECK(m.price_or_settlement(0) == 27'000);
  m.record_trade(0, 27'055, 1, false);
  CHECK(m.price_or_settlement(0) == 27'055);
  CHECK(m.price_or_settlement(1) == 27'000);
  m.start_day();
  CHECK(m.price_or_settlement(0) == 27'000);   // yesterday's trades are gone; settle_day was not run
}

TEST_CASE("daily settlement: VWAP of window trades, else last trade, else previous settlement moved with the index",
          "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);

  SECTION("VWAP over the settlement window only") {
    m.start_day();
    m.record_trade(0, 26'000, 50, false);   // before the window: ignored by the VWAP
    m.record_trade(0, 27'020, 2, true);
    m.record_trade(0, 27'023, 1, true);
    // (27,020 * 2 + 27,023 * 1) / 3 = 81,063 / 3 = 27,021.
    const auto s = m.settle_day(5400.0, 5400.0);
    CHECK(s[0] == 27'021);
    CHECK(m.contract(0).prev_settlement == 27'021);
    CHECK(m.contract(0).volume == 53);
    SECTION("the new settlement moves the band and the margin") {
      CHECK(m.band_upper(0) == 29'723);   // 27,021 * 1.1 = 29,723.1
      CHECK(m.band_lower(0) == 24'319);   // 27,021 * 0.9 = 24,318.9
      CHECK(m.margin_per_contract(0) == 27'021LL * 480);
    }
  }
  SECTION("VWAP weights by quantity") {
    m.start_day();
    m.record_trade(0, 27'000, 3, true);
    m.record_trade(0, 27'100, 1, true);
    CHECK(m.settle_day(5400.0, 5400.0)[0] == 27'025);   // 108,100 / 4
  }
  SECTION("no trade in the window: the last trade of the day") {
    m.start_day();
    m.record_trade(1, 27'300, 4, false);
    m.record_trade(1, 27'280, 2, false);
    CHECK(m.settle_day(5400.0, 5400.0)[1] == 27'280);
  }
  SECTION("no trade at all: the previous settlement moved with the index") {
    m.start_day();
    // Index 5400 -> 5508 (+2%): 27,000 * 1.02 = 27,540.
    const auto s = m.settle_day(5508.0, 5400.0);
    CHECK(s[0] == 27'540);
    CHECK(s[1] == 27'540);
    CHECK(m.contract(1).prev_settlement == 27'540);
  }
  SECTION("each slot settles on its own") {
    m.start_day();
    m.record_trade(0, 27'010, 1, true);
    const auto s = m.settle_day(5454.0, 5400.0);   // +1%
    CHECK(s[0] == 27'010);
    CHECK(s[1] == 27'270);
  }
  SECTION("the window accumulators start afresh each day") {
    m.start_day();
    m.record_trade(0, 27'100, 10, true);
    m.settle_day(5400.0, 5400.0);
    m.start_day();
    m.record_trade(0, 27'200, 1, true);
    CHECK(m.settle_day(5400.0, 5400.0)[0] == 27'200);
    m.start_day();
    CHECK(m.settle_day(5400.0, 5400.0)[0] == 27'200);   // no trades: yesterday's settlement, index flat
  }
}

TEST_CASE("final settlement is the average index over the final window, in ticks", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  m.start_day();
  m.record_index(5390.0, false);   // outside the window: not averaged
  m.record_index(5000.0, true);
  m.record_index(5000.4, true);
  m.record_index(5000.8, true);
  // (5000.0 + 5000.4 + 5000.8) / 3 = 5000.4 points = 25,002 ticks.
  CHECK(m.final_settlement() == 25'002);
  m.start_day();   // a new day starts a new average
  m.record_index(5100.0, true);
  m.record_index(5110.0, true);
  CHECK(m.final_settlement() == 25'525);   // 5105.0 points
}

TEST_CASE("roll: the next contract becomes the front and a new next contract is listed", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  m.contract(1).prev_settlement = 27'111;
  m.roll(d(2024, 1, 19), 5500.0);
  CHECK(m.contract(0).code == "IM2402");
  CHECK(m.contract(0).expiry == d(2024, 2, 19));
  CHECK(m.contract(0).prev_settlement == 27'111);   // the old next keeps its settlement
  CHECK(m.contract(1).code == "IM2403");
  CHECK(m.contract(1).expiry == d(2024, 3, 15));
  CHECK(m.contract(1).prev_settlement == 27'500);   // listed at the index close, 5500.0 points

  m.roll(d(2024, 2, 19), 5000.0);
  CHECK(m.contract(0).code == "IM2403");
  CHECK(m.contract(1).code == "IM2404");
  CHECK(m.contract(1).expiry == d(2024, 4, 19));
  CHECK(m.contract(1).prev_settlement == 25'000);
}

TEST_CASE("roll lists the new next contract with the listing basis", "[futures]") {
  const TradingCalendar cal = calendar_2024();
  FuturesMarket m(FuturesSpec{}, cal);
  m.list_initial(d(2024, 1, 2), 5400.0);
  m.roll(d(2024, 1, 19), 5500.0);
  // IM2403 expires 2024-03-15, 56 days after 19 January:
  // 5500 * (1 - 0.06 * 56/365) = 5449.3699 points = 27,246.85 ticks -> 27,247.
  CHECK(m.contract(1).prev_settlement == 27'247);
}

TEST_CASE("the year turns over when rolling from a December front", "[futures]") {
  const TradingCalendar cal(d(2024, 11, 25), 60, {});
  FuturesMarket m(flat_basis(), cal);
  m.list_initial(d(2024, 11, 25), 5000.0);   // after the November expiry (15 Nov)
  CHECK(m.contract(0).code == "IM2412");
  CHECK(m.contract(1).code == "IM2501");
  CHECK(m.contract(1).expiry == d(2025, 1, 17));
  m.roll(d(2024, 12, 20), 5000.0);
  CHECK(m.contract(0).code == "IM2501");
  CHECK(m.contract(1).code == "IM2502");
  CHECK(m.contract(1).expiry == d(2025, 2, 21));
}
