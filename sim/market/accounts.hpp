#pragma once
// Accounts hold cash, shares and futures positions. Every trade moves cash and shares between
// exactly two accounts, so totals are conserved; pre-trade reservations make sure no sequence
// of fills can spend cash or sell shares an account does not have.
//
// Memory: 100,000+ retail traders each have an account, so an Account is 40 bytes: its
// positions live in the book's PositionPool, and the futures part (two positions and the margin,
// 56 bytes) exists only for the few accounts that ever trade futures.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/types.hpp"
#include "sim/market/position_pool.hpp"

namespace stampede {

class StateIo;

inline constexpr int kFuturesSlots = 2;   // front and next contract

struct FuturesPosition {
  Qty qty = 0;              // contracts, negative = short
  Fen trade_cash = 0;       // cash value of today's trades (sells positive), settled at the close
  Fen mark_base = 0;        // qty * last settlement price (fen): what has already been settled
};

// The futures part of an account, opened by its first futures trade.
struct FuturesAccount {
  std::array<FuturesPosition, kFuturesSlots> slots{};
  Fen margin = 0;   // margin required by the futures positions held
};

class Account {
 public:
  Account() = default;
  // Positions and the futures part belong to the AccountBook: an account is moved, never copied.
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;
  Account(Account&&) noexcept = default;
  Account& operator=(Account&&) noexcept = default;

  Fen cash = 0;
  Fen reserved_cash = 0;    // held for open buy orders and open futures orders
  AgentId owner = -1;

  Fen available_cash() const { return cash - reserved_cash - futures_margin(); }
  // Positions sorted by stock id; AccountBook::position adds one.
  std::span<const StockPosition> stocks() const { return {positions_, count_}; }
  std::span<StockPosition> stocks() { return {positions_, count_}; }
  // Inline: called for every sell order's risk check and many agents' decisions.
  const StockPosition* find(InstrumentId stock) const {
    const StockPosition* first = positions_;
    std::uint32_t n = count_;
    while (n > 0) {   // lower_bound by stock id
      const std::uint32_t half = n / 2;
      if (first[half].stock < stock) {
        first += half + 1;
        n -= half + 1;
      } else {
        n = half;
      }
    }
    return first != positions_ + count_ && first->stock == stock ? first : nullptr;
  }
  StockPosition* find(InstrumentId stock) { return const_cast<StockPosition*>(std::as_const(*this).find(stock)); }
  Qty holding(InstrumentId stock) const { auto* p = find(stock); return p ? p->qty : 0; }
  Qty sellable(InstrumentId stock) const { auto* p = find(stock); return p ? p->sellable : 0; }

  // Futures (flat for an account without a futures part); AccountBook::futures changes them.
  const FuturesPosition& futures(int slot) const { return futures_ ? futures_->slots[static_cast<std::size_t>(slot)] : kFlat; }
  Fen futures_margin() const { return futures_ ? futures_->margin : 0; }
  bool has_futures_account() const { return futures_ != nullptr; }

 private:
  friend class AccountBook;
  static const FuturesPosition kFlat;
  std::uint32_t count_ = 0;                 // positions held; the block's capacity is position_capacity(count_)
  StockPosition* positions_ = nullptr;      // in the book's PositionPool
  FuturesAccount* futures_ = nullptr;       // owned by the book
};

// One account's share of a settlement: cash, reservations and shares, all exact integers, so
// changes to one account can be applied in any order with the same result.
struct AccountChange {
  AccountId account;
  InstrumentId stock;   // -1: cash and reservations only
  Fen cash = 0;
  Fen reserved = 0;
  Qty qty = 0;
  Qty sellable = 0;
};

class AccountBook {
 public:
  // Accounts fall into kPartitions fixed partitions (interleaved ids: market makers' and funds'
  // accounts are opened in runs). Each partition's positions live in a pool of their own, so
  // changes to accounts of different partitions, position() included, may run in parallel.
  static constexpr std::size_t kPartitions = 64;
  static std::size_t partition_of(AccountId id) { return static_cast<std::size_t>(id) % kPartitions; }

  AccountBook() = default;
  AccountBook(const AccountBook&) = delete;
  AccountBook& operator=(const AccountBook&) = delete;
  AccountBook(AccountBook&&) noexcept = default;
  AccountBook& operator=(AccountBook&&) noexcept = default;

  AccountId open(AgentId owner, Fen cash);
  Account& operator[](AccountId id) { return accounts_[static_cast<std::size_t>(id)]; }
  const Account& operator[](AccountId id) const { return accounts_[static_cast<std::size_t>(id)]; }
  int size() const { return static_cast<int>(accounts_.size()); }
  bool valid(AccountId id) const { return id >= 0 && id < size(); }
  std::vector<Account>& all() { return accounts_; }
  const std::vector<Account>& all() const { return accounts_; }

  // Memory hints for a sequential pass over many accounts (settlement): the account itself, then
  // (once its line is in) the middle of its positions, where the binary search starts.
  void prefetch(AccountId id) const { __builtin_prefetch(&accounts_[static_cast<std::size_t>(id)]); }
  void prefetch_positions(AccountId id) const {
    const Account& a = accounts_[static_cast<std::size_t>(id)];
    if (a.count_ > 0) __builtin_prefetch(a.positions_ + a.count_ / 2);
  }

  // The account's position in `stock`, inserted empty if absent (one thread per partition).
  StockPosition& position(AccountId id, InstrumentId stock);
  // The account's futures position in `slot`; the first call opens its futures part.
  FuturesAccount& futures_account(AccountId id);
  FuturesPosition& futures(AccountId id, int slot) { return futures_account(id).slots[static_cast<std::size_t>(slot)]; }
  // Accounts with a futures part, in the order they were opened: every other account is flat.
  const std::vector<AccountId>& futures_accounts() const { return futures_ids_; }

  // Moves shares outside trading (the initial allocation from the passive float).
  void transfer_shares(AccountId from, AccountId to, InstrumentId stock, Qty qty);

  // Applies a change to its account (one thread per partition).
  void apply(const AccountChange& c) {
    Account& a = (*this)[c.account];
    a.cash += c.cash;
    a.reserved_cash += c.reserved;
    if (c.stock < 0) return;
    StockPosition* p = a.find(c.stock);
    if (p == nullptr) p = &position(c.account, c.stock);
    p->qty += c.qty;
    p->sellable += c.sellable;
  }

  // Gives back what a cancelled order had reserved. Its position exists (the order was checked
  // against it), so nothing is inserted: accounts of different owners may be released in
  // parallel.
  void release(const AccountChange& c) {
    Account& a = (*this)[c.account];
    a.reserved_cash += c.reserved;
    if (c.stock < 0) return;
    StockPosition* p = a.find(c.stock);
    if (p == nullptr)
      throw std::logic_error("release: account " + std::to_string(c.account) + " has no position in stock " + std::to_string(c.stock));
    p->sellable += c.sellable;
  }

  // A stock trade: cash price*qty from buyer to seller; the buyer's reservation made at
  // `buy_limit` is released; shares bought today are not sellable (T+1).
  void settle_stock_trade(AccountId buyer, AccountId seller, InstrumentId stock, Tick price, Qty qty, Tick buy_limit);
  // A futures trade in `slot`: positions change, the cash value waits for the daily settlement.
  void settle_futures_trade(AccountId buyer, AccountId seller, int slot, Fen price_fen, Qty qty,
                            Fen reserved_per_contract, const std::array<Fen, kFuturesSlots>& margin_per_contract);

  // End of day: open orders have expired, today's purchases become sellable.
  void start_new_day();
  // Checkpoints (sim/core/state_io.hpp): every account's cash, reservations, positions and
  // futures, and the order in which accounts opened futures accounts. Loads into a book with the
  // same accounts.
  void checkpoint(StateIo& io);

  Fen total_cash() const;
  Qty total_shares(InstrumentId stock) const;
  Qty total_futures(int slot) const;
  // Heap bytes of the positions (pool chunks) and futures parts, for memory accounting.
  std::size_t position_bytes() const {
    std::size_t bytes = 0;
    for (const PositionPool& p : pools_) bytes += p.bytes();
    return bytes;
  }
  std::size_t futures_bytes() const { return futures_ids_.size() * (sizeof(FuturesAccount) + sizeof(AccountId) + 16); }

 private:
  void resize_block(AccountId id, std::uint32_t new_count);
  std::vector<Account> accounts_;
  std::array<PositionPool, kPartitions> pools_;   // by partition_of(account)
  std::vector<std::unique_ptr<FuturesAccount>> futures_parts_;
  std::vector<AccountId> futures_ids_;
};

Fen futures_margin_required(const Account& a, const std::array<Fen, kFuturesSlots>& margin_per_contract);

}  // namespace stampede
