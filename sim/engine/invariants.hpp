#pragma once
// The market's invariants, checked on its state after a step (Simulation::conservation_problems,
// and after every step when invariant checking is on). Exact, in integer fen, shares and ticks:
//   * cash summed over every account (funds, brokers, market makers, the passive float, ...)
//     equals the initial cash plus declared inflows minus declared outflows (cash paid out of
//     the market: redemptions); the futures clearing house nets to zero (per contract slot,
//     positions, unsettled trade cash and settled marks each sum to zero) and open interest
//     matches the long positions;
//   * every stock's holdings sum to its shares outstanding; no account holds negative shares;
//     0 <= sellable <= held; no account has negative reserved cash;
//   * every trade of the last step, and the day's high and low, lie inside the day's price
//     band (stocks: previous close +- limit, computed when the day opened; futures: previous
//     settlement +- limit), and each book enforces that band.
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/book/order_book.hpp"
#include "sim/engine/order.hpp"
#include "sim/engine/stock_day_stats.hpp"
#include "sim/market/accounts.hpp"
#include "sim/market/universe.hpp"

namespace stampede {

// Thrown by Simulation::step() when invariant checking is on and an invariant breaks: a bug.
class InvariantViolation : public std::logic_error {
 public:
  InvariantViolation(const std::string& what, std::vector<std::string> all)
      : std::logic_error(what), problems(std::move(all)) {}
  std::vector<std::string> problems;
};

// The state the invariants read, borrowed from the simulation for one check.
struct InvariantInputs {
  const Universe& universe;
  const AccountBook& accounts;
  std::span<const OrderBook> books;                    // [instrument]: the stocks', then the futures slots'
  std::span<const StockDayStats> stock_day;            // [stock]
  std::span<const std::pair<Tick, Tick>> day_band;     // [instrument]: the band set when the day opened
  std::span<const std::vector<Trade>> last_trades;     // [instrument]: the last step's trades
  std::span<const std::vector<Order>> last_orders;     // [agent]: the orders the last step sent
  std::span<const Qty, kFuturesSlots> open_interest;   // [slot]
  Fen initial_cash = 0, inflow = 0, outflow = 0;       // cash at the start, and since entered or left
};

// Every invariant that does not hold, one line per problem; empty when all hold. Trades are
// checked for the last step only. Without all_positions, the stock positions of only the accounts
// that traded or sent orders in the last step are checked (nothing else changes them during a
// day) and the stocks' totals not at all.
std::vector<std::string> invariant_problems(const InvariantInputs& in, bool all_positions);

}   // namespace stampede
