// Fuzz target: the `stampede replay` order-stream reader and engine: the CSV parser, the option
// checks, one order book per book number, and the CSV writer (what `stampede replay ORDERS.csv
// [--tick T] [--limit-pct P] [--ref-price X] [--lot N]` does after the command line is parsed).
//
// Input: the CSV text. If its first line starts with "#!", that line holds the options instead:
// "#! TICK LIMIT_PCT REF_PRICE LOT" (whitespace separated, each may be missing; "-" keeps the
// default), and the CSV starts on the next line.
// Loaded inputs must also give a consistent result: positive trade and resting quantities, trade
// prices inside the book's band that print and parse back to the same tick.
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_target.hpp"
#include "sim/book/replay.hpp"

namespace {

using namespace stampede;
using namespace stampede::replay;

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '\r') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

bool stampede_fuzz_one(const std::uint8_t* data, std::size_t size) {
  std::string_view csv(reinterpret_cast<const char*>(data), size);
  ReplayOptions options;
  if (csv.rfind("#!", 0) == 0) {
    const std::size_t nl = csv.find('\n');
    const std::vector<std::string> w = words(csv.substr(2, nl == std::string_view::npos ? nl : nl - 2));
    csv = nl == std::string_view::npos ? std::string_view{} : csv.substr(nl + 1);
    if (w.size() > 0 && w[0] != "-") options.tick = w[0];
    if (w.size() > 1 && w[1] != "-") options.limit_pct = std::strtod(w[1].c_str(), nullptr);
    if (w.size() > 2 && w[2] != "-") options.ref_price = w[2];
    if (w.size() > 3 && w[3] != "-") options.lot = std::strtoll(w[3].c_str(), nullptr, 10);
  }
  try {
    const PriceScale scale = parse_tick(options.tick);
    std::istringstream in{std::string(csv)};
    const std::vector<OrderRow> rows = parse_orders(in, "fuzz.csv", scale);
    const ReplayResult result = run_replay(rows, options);

    std::map<std::int64_t, Tick> reference;  // as run_replay takes it: --ref-price, else first limit price
    Tick fixed = kNoPrice;
    if (!options.ref_price.empty()) FUZZ_CHECK(parse_price(options.ref_price, scale, fixed) == PriceParse::Ok, "ref");
    for (const OrderRow& r : rows)
      if (!reference.count(r.book) && (fixed != kNoPrice || r.type == OrderType::Limit))
        reference[r.book] = fixed != kNoPrice ? fixed : r.price;
    for (const TradeRow& t : result.trades) {
      FUZZ_CHECK(t.qty > 0, "trade of %lld", static_cast<long long>(t.qty));
      FUZZ_CHECK(reference.count(t.book), "trade in book %lld that has no reference", static_cast<long long>(t.book));
      Tick lower = 0, upper = 0;
      band_for(reference[t.book], options.limit_pct, lower, upper);
      FUZZ_CHECK(t.price >= lower && t.price <= upper, "trade at %d outside the band [%d, %d]", t.price, lower, upper);
      Tick back = kNoPrice;
      const std::string text = format_price(t.price, scale);
      FUZZ_CHECK(parse_price(text, scale, back) == PriceParse::Ok && back == t.price, "price %d prints as %s", t.price,
                 text.c_str());
    }
    for (const BookRow& b : result.book) FUZZ_CHECK(b.qty > 0, "resting order of %lld", static_cast<long long>(b.qty));
    FUZZ_CHECK(result.ops == rows.size(), "ops %llu for %zu rows", static_cast<unsigned long long>(result.ops),
               rows.size());
    std::ostringstream out;
    write_result(out, result, scale);
    for (const Rejection& r : result.rejections) FUZZ_CHECK(!describe(r).empty(), "empty rejection text");
    return true;
  } catch (const ReplayError& e) {
    FUZZ_CHECK(std::string_view(e.what()).size() > 0, "ReplayError without a message");
    if (fuzz_verbose()) std::fprintf(stderr, "%s\n", e.what());
    return false;
  }
}
