// Order-book hot path: a seeded synthetic stream (~50% resting adds, ~30% cancels of live
// orders, ~20% marketable orders) over many books, generated before timing. Reports ns per op.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <random>
#include <vector>

#include "sim/book/lookahead.hpp"
#include "sim/book/order_book.hpp"

namespace {

using namespace stampede;

struct Op {
  std::uint32_t book;
  bool cancel;
  OrderRequest order;
};

constexpr Tick kReference = 1000;  // 10.00 yuan
constexpr Tick kLower = 900, kUpper = 1100;

void open_all(std::vector<OrderBook>& books) {
  for (OrderBook& b : books) {
    b.open_day(kLower, kUpper, kReference);
    b.set_phase(BookPhase::Continuous);
  }
}

// Generates the stream by running it on real books, so every cancel names an order that is live
// at that point of the stream (the timed replay of the same stream is identical).
std::vector<Op> make_stream(std::size_t nbooks, std::size_t nops, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<OrderBook> books(nbooks);
  open_all(books);
  std::vector<std::vector<OrderId>> live(nbooks);
  std::vector<OrderId> next_id(nbooks, 1);
  std::vector<Trade> trades;
  std::vector<Op> ops;
  ops.reserve(nops);
  std::uniform_int_distribution<std::uint32_t> pick_book(0, static_cast<std::uint32_t>(nbooks - 1));
  std::uniform_int_distribution<int> percent(0, 99), lots(1, 10), offset(0, 15), coin(0, 1);
  while (ops.size() < nops) {
    const std::uint32_t b = pick_book(rng);
    OrderBook& book = books[b];
    const int kind = percent(rng);
    if (kind >= 50 && kind < 80) {  // cancel a live order
      auto& ids = live[b];
      bool done = false;
      while (!ids.empty() && !done) {
        const std::size_t k = std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng);
        const OrderId id = ids[k];
        ids[k] = ids.back();
        ids.pop_back();
        if (book.cancel(id, 1).reject == RejectReason::None) {
          ops.push_back(Op{b, true, OrderRequest{id, 1, Side::Buy, OrderType::Cancel, kNoPrice, 0}});
          done = true;
        }
      }
      if (done) continue;
    }
    const Side side = coin(rng) ? Side::Buy : Side::Sell;
    const Tick bid = book.best_bid() == kNoPrice ? kReference - 1 : book.best_bid();
    const Tick ask = book.best_ask() == kNoPrice ? kReference + 1 : book.best_ask();
    OrderRequest o{next_id[b]++, 1, side, OrderType::Limit, 0, 100 * lots(rng)};
    if (kind < 80) {  // passive (also when there was nothing to cancel): rests behind the touch
      o.price = side == Side::Buy ? std::min(bid, ask - 1) - offset(rng) : std::max(ask, bid + 1) + offset(rng);
    } else {  // marketable: crosses the touch (one in four is a market order)
      if (percent(rng) < 25) o.type = OrderType::Market;
      o.price = side == Side::Buy ? ask + offset(rng) / 4 : bid - offset(rng) / 4;
    }
    o.price = std::clamp(o.price, kLower, kUpper);
    const SubmitResult r = book.submit(o, trades);
    trades.clear();
    if (r.reject != RejectReason::None) continue;
    if (r.resting > 0) live[b].push_back(o.id);
    ops.push_back(Op{b, false, o});
  }
  return ops;
}

// routed: the stream stably grouped by book, as the engine hands each book its orders for a step
// (every book sees exactly the same sequence, so the work is identical; only the order of books
// differs).
// lookahead: the same stream through run_with_lookahead (memory hints for later operations).
void run_stream(benchmark::State& state, std::size_t nbooks, std::size_t nops, bool routed = false,
                bool lookahead = false) {
  std::vector<Op> ops = make_stream(nbooks, nops, 20240205);
  if (routed) std::stable_sort(ops.begin(), ops.end(), [](const Op& a, const Op& b) { return a.book < b.book; });
  std::vector<OrderBook> books(nbooks);
  std::vector<Trade> trades;
  trades.reserve(1024);
  std::size_t ntrades = 0;
  for (auto _ : state) {
    state.PauseTiming();
    open_all(books);
    state.ResumeTiming();
    auto apply = [&](std::size_t k) {
      const Op& op = ops[k];
      OrderBook& book = books[op.book];
      if (op.cancel) {
        benchmark::DoNotOptimize(book.cancel(op.order.id, op.order.owner));
      } else {
        benchmark::DoNotOptimize(book.submit(op.order, trades));
        ntrades += trades.size();
        trades.clear();
      }
    };
    if (lookahead)
      run_with_lookahead(
          ops.size(), [&](std::size_t k) -> const OrderBook& { return books[ops[k].book]; },
          [&](std::size_t k) -> const OrderRequest& { return ops[k].order; }, apply,
          LookaheadDistances{static_cast<std::size_t>(state.range(0)), static_cast<std::size_t>(state.range(1)),
                             static_cast<std::size_t>(state.range(2))});
    else
      for (std::size_t k = 0; k < ops.size(); ++k) apply(k);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ops.size()));
  // Seconds per op, printed with an SI prefix (e.g. "45.2ns").
  state.counters["per_op"] = benchmark::Counter(static_cast<double>(ops.size()),
                                                benchmark::Counter::kIsIterationInvariantRate |
                                                    benchmark::Counter::kInvert);
  std::size_t live = 0;
  for (const OrderBook& b : books) live += b.order_count();
  state.counters["live_per_book"] = static_cast<double>(live) / static_cast<double>(nbooks);
  state.counters["trades_per_op"] =
      static_cast<double>(ntrades) / static_cast<double>(state.iterations() * ops.size());
}

void BM_MixedStream_1000Books(benchmark::State& state) { run_stream(state, 1000, 2'000'000); }
void BM_MixedStream_1000Books_Routed(benchmark::State& state) { run_stream(state, 1000, 2'000'000, true); }
void BM_MixedStream_1000Books_Lookahead(benchmark::State& state) { run_stream(state, 1000, 2'000'000, false, true); }
void BM_MixedStream_1Book(benchmark::State& state) { run_stream(state, 1, 1'000'000); }
void BM_MixedStream_Books(benchmark::State& state) {
  run_stream(state, static_cast<std::size_t>(state.range(0)), 2'000'000);
}

BENCHMARK(BM_MixedStream_1000Books)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MixedStream_1000Books_Routed)->Unit(benchmark::kMillisecond);
// Arguments: lookahead distances (header, stage 1, stage 2) in operations.
BENCHMARK(BM_MixedStream_1000Books_Lookahead)->Args({12, 8, 4})->Args({6, 4, 2})->Args({24, 16, 8})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MixedStream_1Book)->Unit(benchmark::kMillisecond);
// How the cost grows with the number of books (the working set leaving the caches).
BENCHMARK(BM_MixedStream_Books)->Arg(10)->Arg(100)->Arg(300)->Unit(benchmark::kMillisecond);

// `bench_book --write-stream FILE BOOKS OPS` writes the benchmark's stream as a CSV order stream
// for `stampede replay FILE --time`: the same operations through the same books, for comparing
// the engine with other matching engines on one input.
void write_stream(const char* path, std::size_t nbooks, std::size_t nops) {
  std::ofstream out(path);
  out << "book,id,side,type,price,quantity\n";
  auto yuan = [](Tick t) { return std::to_string(t / 100) + "." + (t % 100 < 10 ? "0" : "") + std::to_string(t % 100); };
  for (const Op& op : make_stream(nbooks, nops, 20240205)) {
    const OrderRequest& o = op.order;
    if (op.cancel) {
      out << op.book << ',' << o.id << ",,cancel,,\n";
      continue;
    }
    out << op.book << ',' << o.id << ',' << (o.side == Side::Buy ? "buy" : "sell") << ','
        << (o.type == OrderType::Market ? "market," : "limit," + yuan(o.price)) << ',' << o.qty << '\n';
  }
  if (!out) {
    std::fprintf(stderr, "bench_book: cannot write %s\n", path);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--write-stream") {
    write_stream(argv[2], std::stoul(argv[3]), std::stoul(argv[4]));
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
