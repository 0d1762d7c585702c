#include "agents/futures_market_maker.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "sim/engine/valuation.hpp"

namespace stampede {

FuturesMarketMaker::FuturesMarketMaker(const QuotingParams& p, AccountId account, int slot,
                                       double expected_basis_annual, Rng rng,
                                       std::shared_ptr<const std::vector<AccountId>> desk)
    : p_(p), account_(account), slot_(slot), expected_basis_annual_(expected_basis_annual), rng_(rng),
      withdrawal_(p.withdrawal), desk_(std::move(desk)) {}

void FuturesMarketMaker::report(const MarketView& view, ClassMetrics& into) const {
  add_account(into, value_account(view, account_));
}

double FuturesMarketMaker::absorb_shift(const MarketView& view, const FuturesQuoteInfo& info) {
  if (p_.absorb_skew_index_share <= 0.0) return 0.0;
  // The desk's book, per maker: a roll moves contracts from the front's makers to the next's
  // without changing what the makers hold together.
  Qty total = 0;
  for (const AccountId id : *desk_)
    for (int slot = 0; slot < kFuturesSlots; ++slot) total += view.account(id).futures(slot).qty;
  const double book = static_cast<double>(total) / static_cast<double>(desk_->size());
  if (view.day < p_.absorb_from_day) {
    carried_book_ = book;
    carried_day_ = view.day;
    return 0.0;
  }
  if (view.day != carried_day_) {
    if (carried_day_ < 0) {
      carried_book_ = book;   // a world that starts past absorb_from_day carries its first book
    } else if (p_.absorb_halflife_days > 0) {
      const double days = static_cast<double>(view.day - carried_day_);
      carried_book_ += (book - carried_book_) * (1.0 - std::exp2(-days / p_.absorb_halflife_days));
    }
    carried_day_ = view.day;
  }
  const double yuan_per_contract =
      view.hedged_index * static_cast<double>(info.tick_value_fen) / 100.0 / info.tick_points;
  const double bought_beyond_yuan = std::max(0.0, book - carried_book_) * yuan_per_contract;
  return p_.absorb_skew_index_share * bought_beyond_yuan / std::max(1.0, p_.absorb_capacity_yuan);
}

void FuturesMarketMaker::decide(const MarketView& view, OrderSink& out) {
  const InstrumentId inst = view.futures_instrument(slot_);
  const FuturesQuoteInfo& info = view.futures[static_cast<std::size_t>(slot_)];
  // Orders are day orders and ids are per contract: after a roll, yesterday's ids mean nothing.
  if (info.code != code_) bid_ = ask_ = 0;
  code_ = info.code;
  if (bid_) out.cancel(account_, inst, bid_);
  if (ask_) out.cancel(account_, inst, ask_);
  bid_ = ask_ = 0;

  const Account& acc = view.account(account_);
  const Qty position = acc.futures(slot_).qty;
  if (withdrawal_.stand_aside(view, value_account(view, acc).equity(), position, p_.quote_lots, inst, out)) return;

  const InstrumentQuote& q = view.quote(inst);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  // The index the contract settles on, as the maker expects it: members locked limit-down are
  // worth less than their limit price, so a locked index is marked down before the carry.
  const double index_estimate = view.hedged_index * (1.0 - p_.locked_markdown * view.hedged_locked_down_weight);
  const double model_points = index_estimate * (1.0 + expected_basis_annual_ * info.days_to_expiry / 365.0);
  double fair = p_.fair_value_weight * (model_points / info.tick_points) + (1.0 - p_.fair_value_weight) * q.last;
  fair *= 1.0 + p_.fair_value_noise * normal(rng_);

  const Fen margin = std::max<Fen>(1, info.margin_per_contract);
  // Keep a third of the capital free: the position limit is what the rest can margin.
  const double max_position = std::max(1.0, static_cast<double>(acc.cash) / (3.0 * static_cast<double>(margin)));
  const double excess = static_cast<double>(position) / max_position;
  const double skew_ticks = p_.inventory_skew_index_share * view.hedged_index / info.tick_points;
  const double centre = fair * (1.0 - absorb_shift(view, info)) - skew_ticks * excess;

  Tick bid = std::clamp(static_cast<Tick>(std::floor(centre - p_.half_spread_ticks)), q.lower, q.upper);
  Tick ask = std::clamp(static_cast<Tick>(std::ceil(centre + p_.half_spread_ticks)), q.lower, q.upper);
  if (bid >= ask) {
    if (ask < q.upper) ask = bid + 1;
    else bid = ask - 1;
  }
  const Qty size = p_.quote_lots;
  const Fen need = margin * size;
  Fen free = acc.available_cash();
  if (excess < 1.0 && free >= need) {
    bid_ = out.limit(account_, inst, Side::Buy, bid, size, OrderReason::Quote);
    free -= need;
  }
  if (excess > -1.0 && free >= need) ask_ = out.limit(account_, inst, Side::Sell, ask, size, OrderReason::Quote);
}

}  // namespace stampede
