// `stampede replay ORDERS.csv`: runs a CSV order stream through the order book and prints the
// trades and the final book. A thin wrapper: the engine is stampede::replay (sim/book/replay.hpp).
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "sim/book/replay.hpp"

namespace stampede::cli {

void add_replay_command(CLI::App& app) {
  struct Args {
    std::string file;
    replay::ReplayOptions options;
    bool time = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand(
      "replay",
      "Run a CSV order stream through the order book (continuous phase) and print every trade, then the final book, "
      "as CSV. Input header: id,side,type,price,quantity and an optional book column; side buy|sell; type "
      "limit|market|cancel (a cancel's id names the order to cancel); price in yuan (empty for market and cancel).");
  sub->add_option("orders", args->file, "CSV file of orders (header id,side,type,price,quantity[,book])")
      ->required()
      ->type_name("ORDERS.csv");
  sub->add_option("--tick", args->options.tick, "Price tick in yuan; every price must be a multiple of it")
      ->default_str("0.01")
      ->type_name("YUAN");
  sub->add_option("--limit-pct", args->options.limit_pct,
                  "Daily price limit in percent: the band is reference*(1 +- P/100), rounded inward to ticks; "
                  "orders priced outside it are rejected")
      ->default_val(10.0)
      ->check(CLI::Range(0.0, 99.99))
      ->type_name("P");
  sub->add_option("--ref-price", args->options.ref_price,
                  "Reference (previous close) price in yuan that centres the band; default: each book's first "
                  "limit order price")
      ->type_name("YUAN");
  sub->add_option("--lot", args->options.lot, "Buy lot: buy quantities must be multiples of it (sells need not be)")
      ->default_val(100)
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  sub->add_flag("--time", args->time,
                "Print to stderr the matching time alone (no parsing or printing) in ns per operation and the "
                "operation count. The stream runs twice: an untimed pass grows the books' memory, a timed pass "
                "from empty books gives the output");
  sub->callback([args] {
    try {
      const replay::PriceScale scale = replay::parse_tick(args->options.tick);
      const auto rows = replay::read_orders_file(args->file, scale);
      args->options.warm_up = args->time;
      const replay::ReplayResult result = replay::run_replay(rows, args->options);
      for (const auto& r : result.rejections) std::fprintf(stderr, "%s\n", replay::describe(r).c_str());
      replay::write_result(std::cout, result, scale);
      std::cout.flush();
      if (args->time)
        std::fprintf(stderr, "matching: %.1f ns/op over %llu ops\n",
                     result.ops ? result.matching_ns / static_cast<double>(result.ops) : 0.0,
                     static_cast<unsigned long long>(result.ops));
    } catch (const replay::ReplayError& e) {
      throw InputError(e.what());
    }
  });
}

}  // namespace stampede::cli
