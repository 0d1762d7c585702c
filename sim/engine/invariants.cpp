// The market's invariants (invariants.hpp): one pass over the accounts sums what must balance,
// then each rule names its problems.
#include "sim/engine/invariants.hpp"

#include <algorithm>
#include <array>

#include "sim/core/parallel.hpp"

namespace stampede {

namespace {

std::string str(auto v) { return std::to_string(v); }

// What the accounts sum to. Integer sums: the same in any order, so the scan runs in parallel and
// stays exact.
struct AccountTotals {
  std::vector<Qty> held;   // [stock], only when positions are summed
  Fen cash = 0;
  std::array<Qty, kFuturesSlots> net{}, longs{};
  std::array<Fen, kFuturesSlots> trade_cash{}, marks{};
  bool bad_position = false;   // negative reserved cash, or (positions summed) a position out of range
};

// One pass over the accounts (it runs after every step when checking is on): totals first,
// problems named afterwards. Positions only with all_positions.
AccountTotals sum_accounts(const AccountBook& accounts, int n, bool all_positions) {
  const std::vector<Account>& all = accounts.all();
  AccountTotals totals = stampede::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, all.size(), 2048), AccountTotals{},
      [&](const tbb::blocked_range<std::size_t>& r, AccountTotals t) {
        if (all_positions && t.held.empty()) t.held.assign(static_cast<std::size_t>(n), 0);
        for (std::size_t a = r.begin(); a < r.end(); ++a) {
          const Account& acc = all[a];
          t.cash += acc.cash;
          t.bad_position |= acc.reserved_cash < 0;
          for (std::size_t k = 0; k < kFuturesSlots; ++k) {
            const FuturesPosition& f = acc.futures(static_cast<int>(k));
            t.net[k] += f.qty;
            t.longs[k] += std::max<Qty>(0, f.qty);
            t.trade_cash[k] += f.trade_cash;
            t.marks[k] += f.mark_base;
          }
          if (!all_positions) continue;
          for (const StockPosition& p : acc.stocks()) {
            if (p.stock < 0 || p.stock >= n) {
              t.bad_position = true;
              continue;
            }
            t.held[static_cast<std::size_t>(p.stock)] += p.qty;
            t.bad_position |= p.qty < 0 || p.sellable < 0 || p.sellable > p.qty;
          }
        }
        return t;
      },
      [&](AccountTotals x, const AccountTotals& y) {
        if (x.held.empty())
          x.held = y.held;
        else
          for (std::size_t i = 0; i < y.held.size(); ++i) x.held[i] += y.held[i];
        x.cash += y.cash;
        for (std::size_t k = 0; k < kFuturesSlots; ++k) {
          x.net[k] += y.net[k];
          x.longs[k] += y.longs[k];
          x.trade_cash[k] += y.trade_cash[k];
          x.marks[k] += y.marks[k];
        }
        x.bad_position |= y.bad_position;
        return x;
      });
  if (totals.held.empty()) totals.held.assign(static_cast<std::size_t>(n), 0);
  return totals;
}

// Money: every fen is in some account or was declared as entering or leaving the market.
void money_problems(const InvariantInputs& in, Fen cash, std::vector<std::string>& problems) {
  const Fen expected = in.initial_cash + in.inflow - in.outflow;
  if (cash != expected)
    problems.push_back("total cash " + str(cash) + " fen differs from the initial " + str(in.initial_cash) +
                       " plus inflows " + str(in.inflow) + " minus outflows " + str(in.outflow) + " (by " +
                       str(cash - expected) + ")");
}

bool position_out_of_range(const StockPosition& p, int n) {
  return p.stock < 0 || p.stock >= n || p.qty < 0 || p.sellable < 0 || p.sellable > p.qty;
}

// The accounts whose problems are named one by one. With all_positions, every account when the
// scan saw any bad one. Without, the accounts with negative reserved cash (when the scan saw
// some), then those of the accounts this step could have changed (those that traded or sent
// orders) that hold a position out of range.
std::vector<AccountId> accounts_to_name(const InvariantInputs& in, bool all_positions, bool bad_position) {
  const AccountBook& accounts = in.accounts;
  const int n = in.universe.size();
  std::vector<AccountId> named;
  if (all_positions) {
    if (bad_position)
      for (AccountId a = 0; a < accounts.size(); ++a) named.push_back(a);
    return named;
  }
  if (bad_position)   // negative reserved cash somewhere
    for (AccountId a = 0; a < accounts.size(); ++a)
      if (accounts[a].reserved_cash < 0) named.push_back(a);
  std::vector<AccountId> touched;
  for (int i = 0; i < n; ++i)
    for (const Trade& t : in.last_trades[static_cast<std::size_t>(i)]) {
      touched.push_back(t.maker);
      touched.push_back(t.taker);
    }
  for (const auto& orders : in.last_orders)
    for (const Order& o : orders) touched.push_back(o.account);
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (AccountId a : touched) {
    if (!accounts.valid(a)) continue;
    for (const StockPosition& p : accounts[a].stocks())
      if (position_out_of_range(p, n)) {
        named.push_back(a);
        break;
      }
  }
  return named;
}

// Shares: no account holds negative shares or an unknown stock; sellable within what is held.
void account_problems(const InvariantInputs& in, const std::vector<AccountId>& named,
                      std::vector<std::string>& problems) {
  const int n = in.universe.size();
  for (AccountId a : named) {
    const Account& acc = in.accounts[a];
    if (acc.reserved_cash < 0)
      problems.push_back("account " + str(a) + ": negative reserved cash " + str(acc.reserved_cash) + " fen");
    for (const StockPosition& p : acc.stocks()) {
      if (p.stock < 0 || p.stock >= n) {
        problems.push_back("account " + str(a) + " holds unknown stock " + str(p.stock));
        continue;
      }
      if (p.qty < 0 || p.sellable < 0 || p.sellable > p.qty)
        problems.push_back("account " + str(a) + " stock " + in.universe.name[static_cast<std::size_t>(p.stock)] +
                           ": holds " + str(p.qty) + " shares, " + str(p.sellable) + " sellable" +
                           (p.qty < 0            ? " (negative holding)"
                            : p.sellable > p.qty ? " (sellable above holding)"
                                                 : " (negative sellable)"));
    }
  }
}

// Shares: every stock's holdings sum to its shares outstanding.
void share_total_problems(const Universe& u, const std::vector<Qty>& held, std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(u.size()); ++i)
    if (held[i] != u.shares_outstanding[i])
      problems.push_back("stock " + u.name[i] + ": " + str(held[i]) + " shares held, " + str(u.shares_outstanding[i]) +
                         " outstanding");
}

// Futures: the clearing house is flat in every slot; open interest is the long side.
void futures_problems(const InvariantInputs& in, const AccountTotals& t, std::vector<std::string>& problems) {
  for (std::size_t k = 0; k < kFuturesSlots; ++k) {
    const std::string slot = "futures slot " + str(k);
    if (t.net[k] != 0) problems.push_back(slot + ": positions sum to " + str(t.net[k]) + " contracts");
    if (t.trade_cash[k] != 0)
      problems.push_back(slot + ": unsettled trade cash sums to " + str(t.trade_cash[k]) + " fen");
    if (t.marks[k] != 0) problems.push_back(slot + ": settled marks sum to " + str(t.marks[k]) + " fen");
    if (t.longs[k] != in.open_interest[k])
      problems.push_back(slot + ": open interest " + str(in.open_interest[k]) + " but long positions sum to " +
                         str(t.longs[k]));
  }
}

// Prices: every trade of the last step and the day's range inside the band the day opened with.
void price_band_problems(const InvariantInputs& in, std::vector<std::string>& problems) {
  if (in.day_band.empty() || in.day_band.front().first == kNoPrice) return;   // no day opened yet
  const int n = in.universe.size();
  auto name = [&](std::size_t i) {
    return static_cast<int>(i) < n ? "stock " + in.universe.name[i] : "futures slot " + str(static_cast<int>(i) - n);
  };
  for (std::size_t i = 0; i < in.books.size(); ++i) {
    const auto [lower, upper] = in.day_band[i];
    const OrderBook& book = in.books[i];
    if (book.lower() != lower || book.upper() != upper)
      problems.push_back(name(i) + ": book band [" + str(book.lower()) + ", " + str(book.upper()) +
                         "] differs from the day's band [" + str(lower) + ", " + str(upper) + "]");
    for (const Trade& t : in.last_trades[i]) {
      if (t.price < lower || t.price > upper)
        problems.push_back(name(i) + ": trade of " + str(t.qty) + " at " + str(t.price) +
                           " ticks outside the day's band [" + str(lower) + ", " + str(upper) + "]");
      if (t.qty <= 0) problems.push_back(name(i) + ": trade of " + str(t.qty) + " at " + str(t.price));
    }
    if (static_cast<int>(i) < n) {
      const StockDayStats& d = in.stock_day[i];
      for (Tick p : {d.high, d.low})
        if (p != kNoPrice && (p < lower || p > upper))
          problems.push_back(name(i) + ": day's high/low " + str(p) + " outside the day's band [" + str(lower) + ", " +
                             str(upper) + "]");
    }
  }
}

}   // namespace

std::vector<std::string> invariant_problems(const InvariantInputs& in, bool all_positions) {
  std::vector<std::string> problems;
  const AccountTotals totals = sum_accounts(in.accounts, in.universe.size(), all_positions);
  money_problems(in, totals.cash, problems);
  account_problems(in, accounts_to_name(in, all_positions, totals.bad_position), problems);
  if (all_positions) share_total_problems(in.universe, totals.held, problems);
  futures_problems(in, totals, problems);
  price_band_problems(in, problems);
  return problems;
}

}   // namespace stampede
