#include "sim/market/accounts.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace stampede {

const StockPosition* Account::find(InstrumentId stock) const {
  auto it = std::lower_bound(stocks.begin(), stocks.end(), stock,
                             [](const StockPosition& p, InstrumentId s) { return p.stock < s; });
  return it != stocks.end() && it->stock == stock ? &*it : nullptr;
}

StockPosition& Account::position(InstrumentId stock) {
  auto it = std::lower_bound(stocks.begin(), stocks.end(), stock,
                             [](const StockPosition& p, InstrumentId s) { return p.stock < s; });
  if (it == stocks.end() || it->stock != stock) it = stocks.insert(it, StockPosition{stock});
  return *it;
}

AccountId AccountBook::open(AgentId owner, Fen cash) {
  Account a;
  a.owner = owner;
  a.cash = cash;
  accounts_.push_back(std::move(a));
  return static_cast<AccountId>(accounts_.size() - 1);
}

void AccountBook::transfer_shares(AccountId from, AccountId to, InstrumentId stock, Qty qty) {
  StockPosition& src = (*this)[from].position(stock);
  if (qty <= 0 || src.sellable < qty) throw std::logic_error("transfer_shares: not enough free shares");
  src.qty -= qty;
  src.sellable -= qty;
  StockPosition& dst = (*this)[to].position(stock);
  dst.qty += qty;
  dst.sellable += qty;
}

void AccountBook::settle_stock_trade(AccountId buyer, AccountId seller, InstrumentId stock, Tick price, Qty qty,
                                     Tick buy_limit) {
  const Fen value = static_cast<Fen>(price) * qty;
  Account& b = (*this)[buyer];
  Account& s = (*this)[seller];
  b.cash -= value;
  b.reserved_cash -= static_cast<Fen>(buy_limit) * qty;
  b.position(stock).qty += qty;
  s.cash += value;
  s.position(stock).qty -= qty;   // the sellable part was taken when the sell order was accepted
}

void AccountBook::settle_futures_trade(AccountId buyer, AccountId seller, int slot, Fen price_fen, Qty qty,
                                       Fen reserved_per_contract,
                                       const std::array<Fen, kFuturesSlots>& margin_per_contract) {
  const Fen value = price_fen * qty;
  // Each side's order reserved margin when it was accepted; a self-trade releases both.
  auto apply = [&](AccountId id, Qty dq, Fen dcash) {
    Account& a = (*this)[id];
    FuturesPosition& f = a.futures[static_cast<std::size_t>(slot)];
    f.qty += dq;
    f.trade_cash += dcash;
    a.reserved_cash -= reserved_per_contract * qty;
    a.futures_margin = futures_margin_required(a, margin_per_contract);
  };
  apply(buyer, qty, -value);
  apply(seller, -qty, value);
}

void AccountBook::start_new_day() {
  for (Account& a : accounts_) {
    a.reserved_cash = 0;
    for (StockPosition& p : a.stocks) p.sellable = p.qty;
    std::erase_if(a.stocks, [](const StockPosition& p) { return p.qty == 0; });
  }
}

Fen AccountBook::total_cash() const {
  Fen t = 0;
  for (const Account& a : accounts_) t += a.cash;
  return t;
}

Qty AccountBook::total_shares(InstrumentId stock) const {
  Qty t = 0;
  for (const Account& a : accounts_) t += a.holding(stock);
  return t;
}

Qty AccountBook::total_futures(int slot) const {
  Qty t = 0;
  for (const Account& a : accounts_) t += a.futures[static_cast<std::size_t>(slot)].qty;
  return t;
}

Fen futures_margin_required(const Account& a, const std::array<Fen, kFuturesSlots>& margin_per_contract) {
  Fen m = 0;
  for (int s = 0; s < kFuturesSlots; ++s) m += std::abs(a.futures[static_cast<std::size_t>(s)].qty) * margin_per_contract[static_cast<std::size_t>(s)];
  return m;
}

}  // namespace stampede
