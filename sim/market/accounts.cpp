#include "sim/market/accounts.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "sim/core/parallel.hpp"
#include "sim/core/state_io.hpp"

namespace stampede {

const FuturesPosition Account::kFlat{};

AccountId AccountBook::open(AgentId owner, Fen cash) {
  Account a;
  a.owner = owner;
  a.cash = cash;
  accounts_.push_back(std::move(a));
  return static_cast<AccountId>(accounts_.size() - 1);
}

// Moves the account's first min(count_, new_count) positions to a block for new_count positions
// when the capacity class changes.
void AccountBook::resize_block(AccountId id, std::uint32_t new_count) {
  Account& a = (*this)[id];
  PositionPool& pool = pools_[partition_of(id)];
  const std::uint32_t old_cap = position_capacity(a.count_), new_cap = position_capacity(new_count);
  if (old_cap == new_cap) return;
  StockPosition* block = new_cap > 0 ? pool.allocate(new_cap) : nullptr;
  if (block != nullptr && a.count_ > 0)
    std::memcpy(static_cast<void*>(block), a.positions_, std::min(a.count_, new_count) * sizeof(StockPosition));
  pool.release(a.positions_, old_cap);
  a.positions_ = block;
}

StockPosition& AccountBook::position(AccountId id, InstrumentId stock) {
  Account& a = (*this)[id];
  StockPosition* end = a.positions_ + a.count_;
  StockPosition* it = std::lower_bound(a.positions_, end, stock,
                                       [](const StockPosition& p, InstrumentId s) { return p.stock < s; });
  if (it != end && it->stock == stock) return *it;
  const auto at = static_cast<std::uint32_t>(it - a.positions_);
  resize_block(id, a.count_ + 1);
  std::memmove(static_cast<void*>(a.positions_ + at + 1), a.positions_ + at, (a.count_ - at) * sizeof(StockPosition));
  ++a.count_;
  a.positions_[at] = StockPosition{.stock = static_cast<std::uint32_t>(stock)};
  return a.positions_[at];
}

void AccountBook::checkpoint(StateIo& io) {
  io.tag("accounts");
  std::uint64_t n = io.size(accounts_.size());
  if (n != accounts_.size()) throw CheckpointError("checkpoint has " + std::to_string(n) + " accounts, this world " +
                                                   std::to_string(accounts_.size()));
  std::vector<StockPosition> held;
  for (std::size_t i = 0; i < accounts_.size(); ++i) {
    Account& a = accounts_[i];
    io(a.cash, a.reserved_cash, a.owner);
    if (io.saving()) held.assign(a.positions_, a.positions_ + a.count_);
    io(held);
    if (io.loading()) {
      resize_block(static_cast<AccountId>(i), static_cast<std::uint32_t>(held.size()));
      a.count_ = static_cast<std::uint32_t>(held.size());
      if (!held.empty()) std::memcpy(static_cast<void*>(a.positions_), held.data(), held.size() * sizeof(StockPosition));
    }
  }
  std::vector<AccountId> ids = futures_ids_;
  std::vector<FuturesAccount> parts;
  for (AccountId id : ids) parts.push_back(*(*this)[id].futures_);
  io(ids, parts);
  if (io.saving()) return;
  for (Account& a : accounts_) a.futures_ = nullptr;
  futures_parts_.clear();
  futures_ids_.clear();
  for (std::size_t k = 0; k < ids.size(); ++k) {
    if (!valid(ids[k]) || k >= parts.size()) throw CheckpointError("checkpoint names a futures account this world lacks");
    futures_account(ids[k]) = parts[k];
  }
}

FuturesAccount& AccountBook::futures_account(AccountId id) {
  Account& a = (*this)[id];
  if (a.futures_ == nullptr) {
    futures_parts_.push_back(std::make_unique<FuturesAccount>());
    futures_ids_.push_back(id);
    a.futures_ = futures_parts_.back().get();
  }
  return *a.futures_;
}

void AccountBook::transfer_shares(AccountId from, AccountId to, InstrumentId stock, Qty qty) {
  StockPosition& src = position(from, stock);
  if (qty <= 0 || src.sellable < qty) throw std::logic_error("transfer_shares: not enough free shares");
  src.qty -= qty;
  src.sellable -= qty;
  StockPosition& dst = position(to, stock);
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
  position(buyer, stock).qty += qty;
  s.cash += value;
  position(seller, stock).qty -= qty;   // the sellable part was taken when the sell order was accepted
}

void AccountBook::settle_futures_trade(AccountId buyer, AccountId seller, int slot, Fen price_fen, Qty qty,
                                       Fen reserved_per_contract,
                                       const std::array<Fen, kFuturesSlots>& margin_per_contract) {
  const Fen value = price_fen * qty;
  // Each side's order reserved margin when it was accepted; a self-trade releases both.
  auto apply = [&](AccountId id, Qty dq, Fen dcash) {
    FuturesAccount& fa = futures_account(id);
    FuturesPosition& f = fa.slots[static_cast<std::size_t>(slot)];
    f.qty += dq;
    f.trade_cash += dcash;
    Account& a = (*this)[id];
    a.reserved_cash -= reserved_per_contract * qty;
    fa.margin = futures_margin_required(a, margin_per_contract);
  };
  apply(buyer, qty, -value);
  apply(seller, -qty, value);
}

// Partitions in parallel: each compacts its own accounts' positions in its own pool, in id order,
// so the pools end as a sequential pass leaves them.
void AccountBook::start_new_day() {
  stampede::parallel_for(tbb::blocked_range<std::size_t>(0, kPartitions, 1), [&](const auto& r) {
    for (std::size_t part = r.begin(); part < r.end(); ++part)
      for (std::size_t id = part; id < accounts_.size(); id += kPartitions) {
        Account& a = accounts_[id];
        a.reserved_cash = 0;
        std::uint32_t kept = 0;
        for (std::uint32_t k = 0; k < a.count_; ++k) {
          StockPosition& p = a.positions_[k];
          if (p.qty == 0) continue;
          p.sellable = p.qty;
          a.positions_[kept++] = p;
        }
        resize_block(static_cast<AccountId>(id), kept);
        a.count_ = kept;
      }
  });
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
  for (AccountId id : futures_ids_) t += (*this)[id].futures(slot).qty;
  return t;
}

Fen futures_margin_required(const Account& a, const std::array<Fen, kFuturesSlots>& margin_per_contract) {
  Fen m = 0;
  for (int s = 0; s < kFuturesSlots; ++s) m += std::abs(a.futures(s).qty) * margin_per_contract[static_cast<std::size_t>(s)];
  return m;
}

}  // namespace stampede
