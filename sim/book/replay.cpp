// Replay engine: runs parsed order rows through one book per book number.
#include "sim/book/replay.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <ostream>

#include "sim/book/lookahead.hpp"

namespace stampede::replay {

namespace {
constexpr std::int64_t kMaxBandTicks = 10'000'000;  // 160 MB of price levels per side at most
// All books together: without it, a short file with many books of wide bands (high prices on a fine
// tick) would allocate gigabytes until the process is killed instead of getting an error.
constexpr std::int64_t kMaxTotalBandTicks = 2 * kMaxBandTicks;
}

void band_for(Tick reference, double limit_pct, Tick& lower, Tick& upper) {
  const long double r = reference;
  const long double p = limit_pct;
  constexpr long double eps = 1e-9L;
  const long double up = std::floor(r * (100.0L + p) / 100.0L + eps);
  upper = up >= static_cast<long double>(std::numeric_limits<Tick>::max()) ? std::numeric_limits<Tick>::max()
                                                                           : static_cast<Tick>(up);
  lower = static_cast<Tick>(std::ceil(r * (100.0L - p) / 100.0L - eps));
  if (lower < 1) lower = 1;
}

ReplayResult run_replay(const std::vector<OrderRow>& rows, const ReplayOptions& options) {
  if (!(options.limit_pct >= 0.0 && options.limit_pct < 100.0))
    throw ReplayError("--limit-pct: " + std::to_string(options.limit_pct) + " is outside [0, 100)");
  if (options.lot < 1) throw ReplayError("--lot: " + std::to_string(options.lot) + " is not a positive integer");
  const PriceScale scale = parse_tick(options.tick);
  Tick fixed_reference = kNoPrice;
  if (!options.ref_price.empty() && parse_price(options.ref_price, scale, fixed_reference) != PriceParse::Ok)
    throw ReplayError("--ref-price: '" + options.ref_price + "' is not a positive price in yuan on the tick " +
                      format_price(1, scale));

  // Dense book indices in order of book number, each opened on its reference.
  std::map<std::int64_t, std::size_t> index;
  for (const OrderRow& r : rows) index.emplace(r.book, 0);
  std::vector<std::int64_t> numbers;
  for (auto& [number, i] : index) {
    i = numbers.size();
    numbers.push_back(number);
  }
  std::vector<Tick> reference(numbers.size(), fixed_reference);
  for (const OrderRow& r : rows) {
    Tick& ref = reference[index[r.book]];
    if (ref == kNoPrice && r.type == OrderType::Limit) ref = r.price;
  }
  std::vector<Tick> lowers(numbers.size()), uppers(numbers.size());
  std::int64_t total_band = 0;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (reference[i] == kNoPrice)
      throw ReplayError("book " + std::to_string(numbers[i]) +
                        " has no limit order to take the reference price from; pass --ref-price");
    band_for(reference[i], options.limit_pct, lowers[i], uppers[i]);
    const std::int64_t band = static_cast<std::int64_t>(uppers[i]) - lowers[i];
    if (band > kMaxBandTicks)
      throw ReplayError("book " + std::to_string(numbers[i]) + ": a band of " + std::to_string(band) +
                        " ticks is too wide (at most " + std::to_string(kMaxBandTicks) +
                        "); use a coarser --tick or a smaller --limit-pct");
    total_band += band;
    if (total_band > kMaxTotalBandTicks)
      throw ReplayError("books " + std::to_string(numbers[0]) + ".." + std::to_string(numbers[i]) +
                        ": their bands add up to more than " + std::to_string(kMaxTotalBandTicks) +
                        " ticks of price levels (too much memory); use a coarser --tick, a smaller --limit-pct or "
                        "fewer books per file");
  }
  std::vector<OrderBook> books;
  books.reserve(numbers.size());
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    books.emplace_back(BookRules{options.lot});
    books.back().open_day(lowers[i], uppers[i], reference[i]);
    books.back().set_phase(BookPhase::Continuous);
  }
  std::vector<std::size_t> book_of(rows.size());
  for (std::size_t k = 0; k < rows.size(); ++k) book_of[k] = index[rows[k].book];

  ReplayResult result;
  std::vector<Trade> trades;
  std::vector<std::size_t> trade_book;
  trades.reserve(rows.size());
  trade_book.reserve(rows.size());
  // The whole stream is known in advance, as in a matching engine's input buffer: hint the
  // memory of the operations a few places ahead (the results are those of the plain loop).
  auto request_at = [&](std::size_t k) {
    const OrderRow& r = rows[k];
    return OrderRequest{r.id, 0, r.side, r.type, r.price, r.qty};
  };
  auto run_stream = [&] {
    run_with_lookahead(
        rows.size(), [&](std::size_t k) -> const OrderBook& { return books[book_of[k]]; }, request_at,
        [&](std::size_t k) {
          const OrderRow& r = rows[k];
          OrderBook& book = books[book_of[k]];
          RejectReason reject;
          if (r.type == OrderType::Cancel) {
            reject = book.cancel(r.id, 0).reject;
          } else {
            const std::size_t before = trades.size();
            reject = book.submit(request_at(k), trades).reject;
            trade_book.insert(trade_book.end(), trades.size() - before, book_of[k]);
          }
          if (reject != RejectReason::None) result.rejections.push_back(Rejection{r.line, r.id, reject});
        });
  };
  if (options.warm_up) {
    // A first pass grows every book's order pool and id table to the stream's high-water mark;
    // the books are then reopened (emptied, capacity kept) and the timed pass starts from the
    // same empty state, so it gives the same trades without paying for memory growth.
    run_stream();
    for (std::size_t i = 0; i < books.size(); ++i) books[i].open_day(lowers[i], uppers[i], reference[i]);
    trades.clear();
    trade_book.clear();
    result.rejections.clear();
  }
  const auto start = std::chrono::steady_clock::now();
  run_stream();
  result.matching_ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  result.ops = rows.size();

  result.trades.reserve(trades.size());
  for (std::size_t k = 0; k < trades.size(); ++k) {
    const Trade& t = trades[k];
    const bool buy_taker = t.taker_side == Side::Buy;
    result.trades.push_back(TradeRow{numbers[trade_book[k]], t.price, t.qty, buy_taker ? t.taker_id : t.maker_id,
                                     buy_taker ? t.maker_id : t.taker_id, t.taker_side});
  }
  for (std::size_t i = 0; i < books.size(); ++i)
    books[i].for_each_resting([&](const RestingOrder& o) {
      result.book.push_back(BookRow{numbers[i], o.side, o.price, o.qty, o.id});
    });
  return result;
}

void write_result(std::ostream& out, const ReplayResult& result, const PriceScale& scale) {
  out << "trade,book,price,quantity,buy_id,sell_id,aggressor\n";
  std::size_t n = 0;
  for (const TradeRow& t : result.trades)
    out << ++n << ',' << t.book << ',' << format_price(t.price, scale) << ',' << t.qty << ',' << t.buy_id << ','
        << t.sell_id << ',' << to_string(t.aggressor) << '\n';
  out << "\nbook,side,price,quantity,id\n";
  for (const BookRow& b : result.book)
    out << b.book << ',' << to_string(b.side) << ',' << format_price(b.price, scale) << ',' << b.qty << ',' << b.id
        << '\n';
}

std::string describe(const Rejection& r) {
  return "line " + std::to_string(r.line) + ": order " + std::to_string(r.id) + " rejected: " + to_string(r.reason);
}

}  // namespace stampede::replay
