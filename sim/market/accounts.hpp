#pragma once
// Accounts hold cash, shares and futures positions. Every trade moves cash and shares between
// exactly two accounts, so totals are conserved; pre-trade reservations make sure no sequence
// of fills can spend cash or sell shares an account does not have.
#include <array>
#include <utility>
#include <vector>

#include "sim/core/types.hpp"

namespace stampede {

inline constexpr int kFuturesSlots = 2;   // front and next contract

struct StockPosition {
  InstrumentId stock;
  Qty qty = 0;        // shares held
  Qty sellable = 0;   // shares that may still go into new sell orders today (T+1, minus open sells)
};

struct FuturesPosition {
  Qty qty = 0;              // contracts, negative = short
  Fen trade_cash = 0;       // cash value of today's trades (sells positive), settled at the close
  Fen mark_base = 0;        // qty * last settlement price (fen): what has already been settled
};

struct Account {
  AgentId owner = -1;
  Fen cash = 0;
  Fen reserved_cash = 0;    // held for open buy orders and open futures orders
  Fen futures_margin = 0;   // margin required by the futures positions held
  std::vector<StockPosition> stocks;   // sorted by stock id
  std::array<FuturesPosition, kFuturesSlots> futures{};

  Fen available_cash() const { return cash - reserved_cash - futures_margin; }
  const StockPosition* find(InstrumentId stock) const;
  StockPosition* find(InstrumentId stock) { return const_cast<StockPosition*>(std::as_const(*this).find(stock)); }
  StockPosition& position(InstrumentId stock);   // inserts an empty position if absent
  Qty holding(InstrumentId stock) const { auto* p = find(stock); return p ? p->qty : 0; }
  Qty sellable(InstrumentId stock) const { auto* p = find(stock); return p ? p->sellable : 0; }
};

class AccountBook {
 public:
  AccountId open(AgentId owner, Fen cash);
  Account& operator[](AccountId id) { return accounts_[static_cast<std::size_t>(id)]; }
  const Account& operator[](AccountId id) const { return accounts_[static_cast<std::size_t>(id)]; }
  int size() const { return static_cast<int>(accounts_.size()); }
  bool valid(AccountId id) const { return id >= 0 && id < size(); }
  std::vector<Account>& all() { return accounts_; }
  const std::vector<Account>& all() const { return accounts_; }

  // Moves shares outside trading (the initial allocation from the passive float).
  void transfer_shares(AccountId from, AccountId to, InstrumentId stock, Qty qty);

  // A stock trade: cash price*qty from buyer to seller; the buyer's reservation made at
  // `buy_limit` is released; shares bought today are not sellable (T+1).
  void settle_stock_trade(AccountId buyer, AccountId seller, InstrumentId stock, Tick price, Qty qty, Tick buy_limit);
  // A futures trade in `slot`: positions change, the cash value waits for the daily settlement.
  void settle_futures_trade(AccountId buyer, AccountId seller, int slot, Fen price_fen, Qty qty,
                            Fen reserved_per_contract, const std::array<Fen, kFuturesSlots>& margin_per_contract);

  // End of day: open orders have expired, today's purchases become sellable.
  void start_new_day();

  Fen total_cash() const;
  Qty total_shares(InstrumentId stock) const;
  Qty total_futures(int slot) const;

 private:
  std::vector<Account> accounts_;
};

Fen futures_margin_required(const Account& a, const std::array<Fen, kFuturesSlots>& margin_per_contract);

}  // namespace stampede
