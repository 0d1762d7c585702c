// CSV order-stream parsing for replay: exact decimal prices, precise error messages.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <limits>
#include <string>

#include "sim/book/replay.hpp"

namespace stampede::replay {
namespace {

constexpr std::int64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};
constexpr int kMaxDecimals = 9;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Splits "[-+]int[.frac]" into its parts; false if it is not a decimal number.
bool split_decimal(std::string_view s, bool& negative, std::string_view& whole, std::string_view& frac) {
  negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  whole = s.substr(0, dot);
  frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return false;
  if (!whole.empty() && !all_digits(whole)) return false;
  if (!frac.empty() && !all_digits(frac)) return false;
  return dot == std::string_view::npos || !frac.empty() || !whole.empty();
}

std::int64_t digits_value(std::string_view s) {
  std::int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

enum Column { kId, kSide, kType, kPrice, kQuantity, kBook, kColumns };
constexpr const char* kColumnNames[kColumns] = {"id", "side", "type", "price", "quantity", "book"};

bool parse_int(std::string_view s, std::int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (!all_digits(s) || s.size() > 18) return false;
  out = negative ? -digits_value(s) : digits_value(s);
  return true;
}

}  // namespace

PriceScale parse_tick(std::string_view yuan) {
  const std::string_view s = trim(yuan);
  bool negative = false;
  std::string_view whole, frac;
  const auto fail = [&] {
    return ReplayError("--tick: '" + std::string(yuan) +
                       "' is not a valid tick; give a positive decimal number of yuan with at most 9 decimals, "
                       "e.g. 0.01 (stocks) or 0.2 (index futures)");
  };
  if (!split_decimal(s, negative, whole, frac) || negative || whole.size() > 9) throw fail();
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (frac.size() > kMaxDecimals) throw fail();
  PriceScale scale;
  scale.decimals = static_cast<int>(frac.size());
  scale.tick_units = digits_value(whole) * kPow10[scale.decimals] + digits_value(frac);
  if (scale.tick_units <= 0) throw fail();
  return scale;
}

PriceParse parse_price(std::string_view yuan, const PriceScale& scale, Tick& ticks) {
  bool negative = false;
  std::string_view whole, frac;
  if (!split_decimal(trim(yuan), negative, whole, frac)) return PriceParse::NotNumber;
  while (static_cast<int>(frac.size()) > scale.decimals) {
    if (frac.back() != '0') return PriceParse::NotMultipleOfTick;
    frac.remove_suffix(1);
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() > 9) return PriceParse::TooLarge;
  const std::int64_t units = digits_value(whole) * kPow10[scale.decimals] +
                             digits_value(frac) * kPow10[scale.decimals - static_cast<int>(frac.size())];
  if (units == 0 || negative) return PriceParse::NotPositive;
  if (units % scale.tick_units != 0) return PriceParse::NotMultipleOfTick;
  const std::int64_t t = units / scale.tick_units;
  if (t > std::numeric_limits<Tick>::max()) return PriceParse::TooLarge;
  ticks = static_cast<Tick>(t);
  return PriceParse::Ok;
}

std::string format_price(Tick ticks, const PriceScale& scale) {
  std::int64_t units = static_cast<std::int64_t>(ticks) * scale.tick_units;
  std::string out = units < 0 ? "-" : "";
  if (units < 0) units = -units;
  out += std::to_string(units / kPow10[scale.decimals]);
  if (scale.decimals > 0) {
    std::string frac = std::to_string(units % kPow10[scale.decimals]);
    out += '.';
    out.append(static_cast<std::size_t>(scale.decimals) - frac.size(), '0');
    out += frac;
  }
  return out;
}

std::vector<OrderRow> parse_orders(std::istream& in, const std::string& name, const PriceScale& scale) {
  std::vector<OrderRow> rows;
  std::string line;
  int line_no = 0;
  const auto where = [&] { return name + ":" + std::to_string(line_no) + ": "; };
  const std::string allowed_columns = "id, side, type, price, quantity (required) and book (optional)";

  // Header.
  int position[kColumns];
  std::fill(std::begin(position), std::end(position), -1);
  std::size_t nfields = 0;
  ++line_no;
  if (!std::getline(in, line)) throw ReplayError(where() + "empty file; expected a header naming " + allowed_columns);
  {
    std::string_view rest = line;
    for (bool more = true; more; ++nfields) {
      const std::size_t comma = rest.find(',');
      more = comma != std::string_view::npos;
      const std::string_view field = trim(rest.substr(0, comma));
      rest = more ? rest.substr(comma + 1) : std::string_view{};
      int c = 0;
      while (c < kColumns && field != kColumnNames[c]) ++c;
      if (c == kColumns)
        throw ReplayError(where() + "header: unknown column '" + std::string(field) + "'; allowed columns are " +
                          allowed_columns);
      if (position[c] >= 0) throw ReplayError(where() + "header: column '" + std::string(field) + "' appears twice");
      position[c] = static_cast<int>(nfields);
    }
    for (int c = 0; c < kBook; ++c)
      if (position[c] < 0)
        throw ReplayError(where() + "header: missing column '" + kColumnNames[c] + "'; the header must name " +
                          allowed_columns);
  }

  std::vector<std::string_view> f(nfields);
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty()) continue;
    std::size_t n = 0;
    std::string_view rest = line;
    for (bool more = true; more; ++n) {
      const std::size_t comma = rest.find(',');
      more = comma != std::string_view::npos;
      if (n < nfields) f[n] = trim(rest.substr(0, comma));
      rest = more ? rest.substr(comma + 1) : std::string_view{};
    }
    if (n != nfields)
      throw ReplayError(where() + "expected " + std::to_string(nfields) + " fields as in the header, found " +
                        std::to_string(n));
    const auto bad = [&](int c, const std::string& what) {
      return ReplayError(where() + "column '" + kColumnNames[c] + "': " + what);
    };
    const auto quoted = [&](int c) { return "'" + std::string(f[position[c]]) + "'"; };

    OrderRow row{line_no, 0, 0, Side::Buy, OrderType::Limit, kNoPrice, 0};
    const std::string_view type = f[position[kType]];
    if (type == "limit") row.type = OrderType::Limit;
    else if (type == "market") row.type = OrderType::Market;
    else if (type == "cancel") row.type = OrderType::Cancel;
    else throw bad(kType, quoted(kType) + " is not one of limit, market, cancel");

    const std::string_view id = f[position[kId]];
    if (!all_digits(id) || id.size() > 19) throw bad(kId, quoted(kId) + " is not a non-negative integer order id");
    row.id = static_cast<OrderId>(std::stoull(std::string(id)));

    const std::string_view side = f[position[kSide]];
    if (side == "buy") row.side = Side::Buy;
    else if (side == "sell") row.side = Side::Sell;
    else if (!(side.empty() && row.type == OrderType::Cancel))
      throw bad(kSide, quoted(kSide) + " is not one of buy, sell" +
                           (row.type == OrderType::Cancel ? " (or empty for a cancel)" : ""));

    const std::string_view price = f[position[kPrice]];
    if (price.empty()) {
      if (row.type == OrderType::Limit) throw bad(kPrice, "missing; a limit order needs a price in yuan");
    } else if (row.type != OrderType::Limit) {
      // A market order's or a cancel's price is ignored; feeds often write 0 there. Only a field
      // that is no number at all is refused, as a sign of a shifted or garbled row.
      Tick ignored = kNoPrice;
      if (parse_price(price, scale, ignored) == PriceParse::NotNumber)
        throw bad(kPrice, quoted(kPrice) + " is not a decimal price in yuan (a market order's or cancel's price is ignored, "
                                           "but must be empty or a number)");
    } else {
      Tick t = kNoPrice;
      switch (parse_price(price, scale, t)) {
        case PriceParse::Ok: break;
        case PriceParse::NotNumber: throw bad(kPrice, quoted(kPrice) + " is not a decimal price in yuan");
        case PriceParse::NotPositive: throw bad(kPrice, quoted(kPrice) + " is not a positive price");
        case PriceParse::NotMultipleOfTick:
          throw bad(kPrice, quoted(kPrice) + " is not a multiple of the tick " + format_price(1, scale));
        case PriceParse::TooLarge: throw bad(kPrice, quoted(kPrice) + " is too large");
      }
      row.price = t;
    }

    const std::string_view qty = f[position[kQuantity]];
    if (qty.empty()) {
      if (row.type != OrderType::Cancel)
        throw bad(kQuantity, std::string("missing; a ") + (row.type == OrderType::Limit ? "limit" : "market") +
                                 " order needs an integer quantity");
    } else {
      std::int64_t q = 0;
      if (!parse_int(qty, q)) throw bad(kQuantity, quoted(kQuantity) + " is not an integer quantity");
      if (row.type != OrderType::Cancel) row.qty = q;
    }

    if (position[kBook] >= 0) {
      std::int64_t b = 0;
      if (!parse_int(f[position[kBook]], b) || b < 0)
        throw bad(kBook, quoted(kBook) + " is not a non-negative integer book number");
      row.book = b;
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<OrderRow> read_orders_file(const std::string& path, const PriceScale& scale) {
  // Only a regular file, of a size the rows fit in memory: /dev/zero or a FIFO would be read
  // without end (or block).
  constexpr std::uintmax_t kMaxOrdersFileBytes = std::uintmax_t{1} << 30;
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    throw ReplayError(path + ": not a regular file (a device, FIFO or socket would be read without end or block); give a CSV file path");
  if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxOrdersFileBytes)
    throw ReplayError(path + ": it is " + std::to_string(size) + " bytes; at most 1 GiB of orders are read at once (split the file)");
  std::ifstream in(path);
  if (!in) throw ReplayError(path + ": cannot open the orders file (missing or unreadable); give a CSV file path");
  return parse_orders(in, path, scale);
}

}  // namespace stampede::replay
