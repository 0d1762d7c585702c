// `stampede replay`: CSV parsing (with precise errors) and the trades and book it prints.
#include <catch2/catch.hpp>

#include <sstream>

#include "sim/book/replay.hpp"

using namespace stampede;
using namespace stampede::replay;

namespace {

std::vector<OrderRow> parse(const std::string& csv, const std::string& tick = "0.01") {
  std::istringstream in(csv);
  return parse_orders(in, "orders.csv", parse_tick(tick));
}

std::string error_of(const std::string& csv, const std::string& tick = "0.01") {
  try {
    parse(csv, tick);
  } catch (const ReplayError& e) {
    return e.what();
  }
  return "no error";
}

std::string replay_text(const std::string& csv, ReplayOptions options = {}) {
  std::istringstream in(csv);
  const PriceScale scale = parse_tick(options.tick);
  const ReplayResult r = run_replay(parse_orders(in, "orders.csv", scale), options);
  std::ostringstream out;
  write_result(out, r, scale);
  return out.str();
}

}  // namespace

TEST_CASE("prices in yuan are parsed exactly into ticks and printed back", "[book][replay]") {
  const PriceScale cents = parse_tick("0.01");
  CHECK(cents.decimals == 2);
  CHECK(cents.tick_units == 1);
  Tick t = 0;
  CHECK(parse_price("10.05", cents, t) == PriceParse::Ok);
  CHECK(t == 1005);
  CHECK(parse_price("7", cents, t) == PriceParse::Ok);
  CHECK(t == 700);
  CHECK(parse_price("7.1", cents, t) == PriceParse::Ok);
  CHECK(t == 710);
  CHECK(parse_price("7.100", cents, t) == PriceParse::Ok);
  CHECK(parse_price("7.105", cents, t) == PriceParse::NotMultipleOfTick);
  CHECK(parse_price("abc", cents, t) == PriceParse::NotNumber);
  CHECK(parse_price("1.2.3", cents, t) == PriceParse::NotNumber);
  CHECK(parse_price("-1.00", cents, t) == PriceParse::NotPositive);
  CHECK(parse_price("0", cents, t) == PriceParse::NotPositive);
  CHECK(format_price(1005, cents) == "10.05");
  CHECK(format_price(7, cents) == "0.07");

  const PriceScale futures = parse_tick("0.2");
  CHECK(futures.decimals == 1);
  CHECK(futures.tick_units == 2);
  CHECK(parse_price("6000.4", futures, t) == PriceParse::Ok);
  CHECK(t == 30002);
  CHECK(parse_price("6000.3", futures, t) == PriceParse::NotMultipleOfTick);
  CHECK(format_price(30002, futures) == "6000.4");
  CHECK_THROWS_AS(parse_tick("0"), ReplayError);
  CHECK_THROWS_AS(parse_tick("x"), ReplayError);
}

TEST_CASE("the band is the reference +- the limit percentage rounded inward to ticks", "[book][replay]") {
  Tick lo = 0, hi = 0;
  band_for(1000, 10, lo, hi);
  CHECK(lo == 900);
  CHECK(hi == 1100);
  band_for(1234, 10, lo, hi);  // 1110.6 .. 1357.4
  CHECK(lo == 1111);
  CHECK(hi == 1357);
  band_for(1005, 20, lo, hi);  // 804 .. 1206
  CHECK(lo == 804);
  CHECK(hi == 1206);
}

TEST_CASE("replay prints trades at the resting price, then the book best first", "[book][replay]") {
  const std::string csv =
      "id,side,type,price,quantity\n"
      "1,sell,limit,10.02,300\n"   // the first limit price is the reference: band 9.02 .. 11.02
      "2,sell,limit,10.01,100\n"
      "3,buy,limit,9.99,200\n"
      "4,buy,limit,10.02,300\n"    // takes 100@10.01 then 200@10.02
      "\n"
      "6,buy,limit,9.98,150\n"     // line 7, bad lot: rejected, replay goes on
      "7,buy,limit,9.50,100\n"
      "7,buy,cancel,,\n"
      "1,,cancel,,\n"              // order 1 had 100 left
      "5,sell,market,,250\n";      // takes 200@9.99, rests 50 at the lower bound 9.02
  const std::string expected =
      "trade,book,price,quantity,buy_id,sell_id,aggressor\n"
      "1,0,10.01,100,4,2,buy\n"
      "2,0,10.02,200,4,1,buy\n"
      "3,0,9.99,200,3,5,sell\n"
      "\n"
      "book,side,price,quantity,id\n"
      "0,sell,9.02,50,5\n";
  CHECK(replay_text(csv) == expected);

  std::istringstream in(csv);
  const ReplayResult r = run_replay(parse_orders(in, "orders.csv", parse_tick("0.01")), {});
  REQUIRE(r.rejections.size() == 1);
  CHECK(describe(r.rejections[0]) == "line 7: order 6 rejected: bad_lot");
  CHECK(r.ops == 9);  // the blank line is skipped
}

TEST_CASE("replay keeps separate books, columns in any order, and honours the options", "[book][replay]") {
  const std::string csv =
      "book,quantity,price,type,side,id\n"
      "1,2,6000.0,limit,sell,1\n"
      "0,100,10.05,limit,sell,2\n"
      "1,3,6000.2,limit,buy,3\n"
      "0,100,10.05,limit,buy,4\n"
      "0,100,11.05,limit,buy,5\n"  // inside the 10% band of book 0 (9.05 .. 11.05), outside 5%
      "1,1,6001.0,limit,buy,6\n";
  ReplayOptions options;
  options.lot = 1;
  options.tick = "0.2";
  CHECK_THROWS_WITH(replay_text(csv, options),
                    Catch::Contains("orders.csv:3: column 'price': '10.05' is not a multiple of the tick 0.2"));
  options.tick = "0.01";
  const std::string out = replay_text(csv, options);
  CHECK(out ==
        "trade,book,price,quantity,buy_id,sell_id,aggressor\n"
        "1,1,6000.00,2,3,1,buy\n"
        "2,0,10.05,100,4,2,buy\n"
        "\n"
        "book,side,price,quantity,id\n"
        "0,buy,11.05,100,5\n"
        "1,buy,6001.00,1,6\n"
        "1,buy,6000.20,1,3\n");
  options.limit_pct = 5;  // now 11.05 is outside book 0's band and is not in the book
  CHECK(replay_text(csv, options).find("0,buy,11.05") == std::string::npos);
  options.ref_price = "6000";  // one reference for every book: book 0's orders are all rejected
  std::istringstream in(csv);
  const ReplayResult r = run_replay(parse_orders(in, "orders.csv", parse_tick("0.01")), options);
  CHECK(r.rejections.size() == 3);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].book == 1);
  for (const BookRow& b : r.book) CHECK(b.book == 1);
}

TEST_CASE("the timed replay's warm-up pass leaves the output of a single pass", "[book][replay]") {
  const std::string csv =
      "book,id,side,type,price,quantity\n"
      "0,1,sell,limit,10.02,200\n"
      "1,1,buy,limit,9.98,300\n"
      "0,2,buy,limit,10.02,100\n"   // partial fill of 1
      "0,3,,cancel,,\n"              // unknown: rejected
      "1,2,sell,market,,100\n"
      "0,1,,cancel,,\n"              // the rest of 1
      "1,3,buy,limit,9.97,100\n";
  ReplayOptions once, twice;
  twice.warm_up = true;
  CHECK(replay_text(csv, twice) == replay_text(csv, once));
  std::istringstream in(csv);
  const ReplayResult r = run_replay(parse_orders(in, "orders.csv", parse_tick("0.01")), twice);
  REQUIRE(r.rejections.size() == 1);   // reported once, not once per pass
  CHECK(describe(r.rejections[0]) == "line 5: order 3 rejected: unknown_order");
  CHECK(r.trades.size() == 2);
  CHECK(r.ops == 7);
}

TEST_CASE("malformed order files are reported with file, line, column and what is allowed", "[book][replay]") {
  const std::string header = "id,side,type,price,quantity\n";
  CHECK(error_of(header + "1,buy,limit,10.00,100\n2,sell,limt,10.00,100\n") ==
        "orders.csv:3: column 'type': 'limt' is not one of limit, market, cancel");
  CHECK(error_of(header + "1,hold,limit,10.00,100\n") == "orders.csv:2: column 'side': 'hold' is not one of buy, sell");
  CHECK(error_of(header + "1,buy,limit,ten,100\n") ==
        "orders.csv:2: column 'price': 'ten' is not a decimal price in yuan");
  CHECK(error_of(header + "1,buy,limit,10.005,100\n") ==
        "orders.csv:2: column 'price': '10.005' is not a multiple of the tick 0.01");
  CHECK(error_of(header + "1,buy,limit,,100\n") ==
        "orders.csv:2: column 'price': missing; a limit order needs a price in yuan");
  CHECK(error_of(header + "1,buy,limit,10,1.5\n") ==
        "orders.csv:2: column 'quantity': '1.5' is not an integer quantity");
  CHECK(error_of(header + "1,buy,market,,\n") ==
        "orders.csv:2: column 'quantity': missing; a market order needs an integer quantity");
  CHECK(error_of(header + "x1,buy,limit,10,100\n") ==
        "orders.csv:2: column 'id': 'x1' is not a non-negative integer order id");
  CHECK(error_of(header + "1,buy,limit,10\n") == "orders.csv:2: expected 5 fields as in the header, found 4");
  CHECK(error_of(header + "\n1,buy,limit,10,100,7\n") == "orders.csv:3: expected 5 fields as in the header, found 6");
  CHECK(error_of("id,side,type,price\n") ==
        "orders.csv:1: header: missing column 'quantity'; the header must name id, side, type, price, quantity "
        "(required) and book (optional)");
  CHECK(error_of("id,side,type,price,qty\n") ==
        "orders.csv:1: header: unknown column 'qty'; allowed columns are id, side, type, price, quantity (required) "
        "and book (optional)");
  CHECK(error_of("id,side,type,price,quantity,book\n1,buy,limit,10,100,-2\n") ==
        "orders.csv:2: column 'book': '-2' is not a non-negative integer book number");
  CHECK(error_of("") == "orders.csv:1: empty file; expected a header naming id, side, type, price, quantity "
                        "(required) and book (optional)");
  CHECK(error_of(header + "1,buy,limit,6000.3,1\n", "0.2") ==
        "orders.csv:2: column 'price': '6000.3' is not a multiple of the tick 0.2");
}

TEST_CASE("well-formed edge cases parse: CRLF, spaces, empty side on cancels, negative quantities",
          "[book][replay]") {
  const auto rows = parse("id,side,type,price,quantity\r\n 1 , buy , limit , 10.00 , 100 \r\n2,,cancel,,\r\n"
                          "3,sell,limit,9.5,-100\r\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].id == 1);
  CHECK(rows[0].price == 1000);
  CHECK(rows[0].line == 2);
  CHECK(rows[1].type == OrderType::Cancel);
  CHECK(rows[2].qty == -100);  // the book rejects it, as the market would
  CHECK(rows[2].price == 950);
}

TEST_CASE("a market order's or a cancel's price is ignored: 0 or an off-tick number parses, text does not",
          "[book][replay]") {
  const auto rows = parse("id,side,type,price,quantity\n1,buy,market,0,100\n2,sell,market,10.005,100\n3,,cancel,0,\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].type == OrderType::Market);
  CHECK(rows[0].price == kNoPrice);   // not taken as a price of 0
  CHECK(rows[1].price == kNoPrice);
  CHECK(rows[2].type == OrderType::Cancel);
  CHECK(error_of("id,side,type,price,quantity\n1,buy,market,ten,100\n") ==
        "orders.csv:2: column 'price': 'ten' is not a decimal price in yuan (a market order's or cancel's price is "
        "ignored, but must be empty or a number)");
  CHECK(error_of("id,side,type,price,quantity\n1,buy,limit,0,100\n") ==
        "orders.csv:2: column 'price': '0' is not a positive price");   // a limit order's price is its price
}

TEST_CASE("a band too wide to hold in memory is refused with a hint", "[book][replay]") {
  ReplayOptions options;
  options.tick = "0.0001";
  CHECK_THROWS_WITH(replay_text("id,side,type,price,quantity\n1,buy,limit,90000,100\n", options),
                    Catch::Contains("ticks is too wide") && Catch::Contains("--tick"));
}

// Found with the replay fuzz target (docs/fuzzing.md): each book within the limit, but a few
// dozen of them used to allocate gigabytes before the first order ran.
TEST_CASE("many books whose bands add up to too much memory are refused before any is opened", "[book][replay]") {
  std::string csv = "id,side,type,price,quantity,book\n";
  for (int b = 1; b <= 40; ++b) csv += std::to_string(b) + ",buy,limit,40000.00,100," + std::to_string(b) + "\n";
  CHECK_THROWS_WITH(replay_text(csv), Catch::Contains("bands add up to") && Catch::Contains("fewer books"));
  // Two such books (800,000 ticks of band each) still replay.
  std::string two = "id,side,type,price,quantity,book\n1,buy,limit,40000.00,100,1\n2,sell,limit,40000.00,100,2\n";
  CHECK_NOTHROW(replay_text(two));
}

TEST_CASE("a missing orders file is an input error naming the file", "[book][replay]") {
  CHECK_THROWS_WITH(read_orders_file("/nonexistent/orders.csv", parse_tick("0.01")),
                    Catch::StartsWith("/nonexistent/orders.csv: cannot open"));
}
