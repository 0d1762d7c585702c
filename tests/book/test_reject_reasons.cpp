// The one table of refusal codes (sim/core/reject_reason.hpp): each code belongs to the stage
// its range says, and each has a name of its own, so the run log tells a risk refusal from a book
// refusal by the name alone.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sim/core/reject_reason.hpp"

using namespace stampede;

namespace {
constexpr RejectReason kRiskCodes[] = {RejectReason::UnknownAccount,     RejectReason::NotAccountOwner,
                                       RejectReason::UnknownInstrument,  RejectReason::InsufficientCash,
                                       RejectReason::InsufficientShares, RejectReason::InsufficientMargin,
                                       RejectReason::PriceOutsideBand,   RejectReason::BadOrder,
                                       RejectReason::RegulatorSellCap,   RejectReason::RegulatorDmaBan};
constexpr RejectReason kBookCodes[] = {RejectReason::BookPriceOutsideBand,
                                       RejectReason::BadLot,
                                       RejectReason::NonPositiveQuantity,
                                       RejectReason::DuplicateOrderId,
                                       RejectReason::UnknownOrder,
                                       RejectReason::NotOwner,
                                       RejectReason::BookClosed};
}   // namespace

TEST_CASE("refusal codes fall in their stage's range and have distinct names", "[book][reject]") {
  CHECK(stage_of(RejectReason::None) == RejectStage::None);
  std::set<std::string> names{to_string(RejectReason::None)};
  for (RejectReason r : kRiskCodes) {
    INFO(to_string(r));
    CHECK(stage_of(r) == RejectStage::Risk);
    CHECK(names.insert(to_string(r)).second);
  }
  for (RejectReason r : kBookCodes) {
    INFO(to_string(r));
    CHECK(stage_of(r) == RejectStage::Book);
    CHECK(names.insert(to_string(r)).second);
  }
  CHECK(names.count("unknown") == 0);   // every code is named in the switch
}

TEST_CASE("the log names written before the table was merged are kept", "[book][reject]") {
  // Readers of older logs count these names; the book's band refusal is the one renamed.
  CHECK(std::string(to_string(RejectReason::InsufficientCash)) == "insufficient_cash");
  CHECK(std::string(to_string(RejectReason::InsufficientShares)) == "insufficient_shares");
  CHECK(std::string(to_string(RejectReason::InsufficientMargin)) == "insufficient_margin");
  CHECK(std::string(to_string(RejectReason::PriceOutsideBand)) == "price_outside_band");
  CHECK(std::string(to_string(RejectReason::NotAccountOwner)) == "not_account_owner");
  CHECK(std::string(to_string(RejectReason::BadOrder)) == "bad_order");
  CHECK(std::string(to_string(RejectReason::BookPriceOutsideBand)) == "book_price_outside_band");
}
