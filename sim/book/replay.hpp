#pragma once
// Replay of a CSV order stream through order books (the engine behind `stampede replay`).
// Input header: id,side,type,price,quantity plus an optional `book` column, in any order.
// Parsing is exact: prices are decimal yuan turned into integer ticks without floating point.
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/book/order_book.hpp"

namespace stampede::replay {

// Bad input the user can fix; the message names the file, line, column, the problem and what is
// allowed. The CLI turns it into cli::InputError (exit code 2).
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A tick of tick_units / 10^decimals yuan (0.01 -> {2, 1}; 0.2 -> {1, 2}).
struct PriceScale {
  int decimals = 2;
  std::int64_t tick_units = 1;
};
PriceScale parse_tick(std::string_view yuan);  // throws ReplayError for anything but a positive decimal
enum class PriceParse { Ok, NotNumber, NotPositive, NotMultipleOfTick, TooLarge };
PriceParse parse_price(std::string_view yuan, const PriceScale& scale, Tick& ticks);
std::string format_price(Tick ticks, const PriceScale& scale);  // "10.05" for tick 0.01

struct ReplayOptions {
  std::string tick = "0.01";  // yuan
  std::string ref_price;      // yuan; empty: each book's first limit order price
  double limit_pct = 10.0;    // band = reference * (1 +- pct/100), rounded inward to ticks
  Qty lot = 100;              // buy lot
  bool warm_up = false;       // run the stream once untimed first, then time a second pass from empty books
};

struct OrderRow {
  int line;  // 1-based line in the file (the header is line 1)
  std::int64_t book;
  OrderId id;
  Side side;  // meaningless for cancels
  OrderType type;
  Tick price;  // kNoPrice when absent
  Qty qty;     // 0 when absent (cancels)
};

struct TradeRow {
  std::int64_t book;
  Tick price;
  Qty qty;
  OrderId buy_id;
  OrderId sell_id;
  Side aggressor;
};

struct BookRow {
  std::int64_t book;
  Side side;
  Tick price;
  Qty qty;
  OrderId id;
};

struct Rejection {
  int line;
  OrderId id;
  RejectReason reason;
};

struct ReplayResult {
  std::vector<TradeRow> trades;    // in execution order
  std::vector<BookRow> book;       // by book number, then bids best first, then asks best first
  std::vector<Rejection> rejections;
  std::uint64_t ops = 0;           // orders and cancels sent to the books
  double matching_ns = 0;          // wall time of the book operations alone
};

// `name` is used in error messages ("orders.csv:7: column 'type': ...").
std::vector<OrderRow> parse_orders(std::istream& in, const std::string& name, const PriceScale& scale);
std::vector<OrderRow> read_orders_file(const std::string& path, const PriceScale& scale);

// Band of a book from its reference: [ceil(ref*(1-pct/100)), floor(ref*(1+pct/100))], lower >= 1.
void band_for(Tick reference, double limit_pct, Tick& lower, Tick& upper);

// Runs every row through one Continuous-phase book per book number (account 0 owns all orders).
ReplayResult run_replay(const std::vector<OrderRow>& rows, const ReplayOptions& options);

// Trades block, an empty line, then the final book block.
void write_result(std::ostream& out, const ReplayResult& result, const PriceScale& scale);
std::string describe(const Rejection& r);  // "line 7: order 12 rejected: bad_lot"

}  // namespace stampede::replay
