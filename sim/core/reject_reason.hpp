#pragma once
// Why an order was refused: one code table for the two stages an order passes, numbered in
// ranges per stage as exchange-core's result codes are. The engine's pre-trade risk check
// (Simulation::reserve) refuses with codes of the risk range, before any book sees the order; a
// book (OrderBook::submit, cancel) refuses with codes of the book range. Every code has its own
// name in the run log (/events/order_rejections, the summary's "orders rejected"), so a refusal's
// stage can be read from its name and stage_of() alike.
#include <cstdint>

namespace stampede {

enum class RejectReason : std::uint8_t {
  None = 0,
  // Risk stage: 1 .. kBookStageFirst - 1.
  UnknownAccount = 1,
  NotAccountOwner,
  UnknownInstrument,
  InsufficientCash,
  InsufficientShares,
  InsufficientMargin,
  PriceOutsideBand,
  BadOrder,           // a quantity out of range, or an order id that is not the sender's own
  RegulatorSellCap,   // RegulatorRules::quant_sell_cap_per_day exceeded
  RegulatorDmaBan,    // RegulatorRules::dma_new_leverage_banned: a DMA account's stock buy
  // Book stage: kBookStageFirst ..
  BookPriceOutsideBand = 64,   // the book's own band check (the risk check normally refuses first)
  BadLot,
  NonPositiveQuantity,
  DuplicateOrderId,
  UnknownOrder,
  NotOwner,
  BookClosed,
};
inline constexpr std::uint8_t kBookStageFirst = 64;

enum class RejectStage : std::uint8_t { None, Risk, Book };
constexpr RejectStage stage_of(RejectReason r) {
  if (r == RejectReason::None) return RejectStage::None;
  return static_cast<std::uint8_t>(r) < kBookStageFirst ? RejectStage::Risk : RejectStage::Book;
}

// The name the run log writes, snake_case: "insufficient_cash", "bad_lot", ... Names of codes
// that existed before the table was merged are kept; the book's band refusal is
// "book_price_outside_band", the risk check's "price_outside_band".
constexpr const char* to_string(RejectReason r) {
  switch (r) {
    case RejectReason::None: return "none";
    case RejectReason::UnknownAccount: return "unknown_account";
    case RejectReason::NotAccountOwner: return "not_account_owner";
    case RejectReason::UnknownInstrument: return "unknown_instrument";
    case RejectReason::InsufficientCash: return "insufficient_cash";
    case RejectReason::InsufficientShares: return "insufficient_shares";
    case RejectReason::InsufficientMargin: return "insufficient_margin";
    case RejectReason::PriceOutsideBand: return "price_outside_band";
    case RejectReason::BadOrder: return "bad_order";
    case RejectReason::RegulatorSellCap: return "regulator_sell_cap";
    case RejectReason::RegulatorDmaBan: return "regulator_dma_ban";
    case RejectReason::BookPriceOutsideBand: return "book_price_outside_band";
    case RejectReason::BadLot: return "bad_lot";
    case RejectReason::NonPositiveQuantity: return "non_positive_quantity";
    case RejectReason::DuplicateOrderId: return "duplicate_order_id";
    case RejectReason::UnknownOrder: return "unknown_order";
    case RejectReason::NotOwner: return "not_owner";
    case RejectReason::BookClosed: return "book_closed";
  }
  return "unknown";
}

}   // namespace stampede
