// ParamBinder (sim/scenario/param_binder.hpp): one declaration per key gives its spec (type from
// the member, default from the struct's initialiser) and its loading, with Scenario::parse's
// messages unchanged for the keys it declares.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/param_binder.hpp"

using namespace stampede;
using Catch::Matchers::Contains;

namespace {

struct Terms {
  double rate = 0.25;
  int days = 3;
};

struct Toy {
  bool enabled = true;
  int count = 7;
  std::int64_t big = 9000000000;
  double share = 0.5;
  std::string label = "toy";
  std::vector<std::string> dates{"2024-02-12"};
  Terms terms;
  Terms other{0.75, 9};    // the section's own initialiser of a part wins over the part's
  int unbound = 42;        // bound to no key: load() keeps the initialiser
};

ParamBinder<Terms> terms_binder(const std::string& section) {
  ParamBinder<Terms> b{section};
  b.bind(&Terms::rate, "other_rate", 0, 1, "1/year", "a rate");
  b.bind(&Terms::days, "other_days", 0, 30, "days", "a duration");
  return b;
}

ParamBinder<Toy> toy_binder() {
  ParamBinder<Toy> b{"toy"};
  b.bind(&Toy::enabled, "enabled", "", "switch");
  b.bind(&Toy::count, "count", 0, 10, "things", "how many");
  b.bind(&Toy::big, "big", 0, 1e12, "", "a large integer");
  b.bind(&Toy::share, "share", 0, 1, "", "a share").long_doc("a share, as the docs word it");
  b.bind(&Toy::label, "label", "", "a name");
  b.bind(&Toy::dates, "dates", "dates", "some days");
  b.bind(path(&Toy::terms, &Terms::rate), "rate", 0, 1, "1/year", "a nested member");
  b.include(&Toy::other, terms_binder("toy"));
  return b;
}

const ParamSpec& spec_of(const std::vector<ParamSpec>& specs, const std::string& key) {
  for (const auto& s : specs)
    if (s.key == key) return s;
  FAIL("no spec " << key);
  return specs.front();
}

}  // namespace

TEST_CASE("a bound key's type is deduced from its member and its default read from the struct", "[scenario][binder]") {
  const auto specs = toy_binder().specs();
  REQUIRE(specs.size() == 9);
  CHECK(specs[0].key == "toy.enabled");   // binding order is the key order
  CHECK(spec_of(specs, "toy.enabled").type == ParamType::Bool);
  CHECK(std::get<bool>(spec_of(specs, "toy.enabled").default_value) == true);
  CHECK(spec_of(specs, "toy.count").type == ParamType::Int);
  CHECK(std::get<std::int64_t>(spec_of(specs, "toy.count").default_value) == 7);
  CHECK(spec_of(specs, "toy.big").type == ParamType::Int);
  CHECK(std::get<std::int64_t>(spec_of(specs, "toy.big").default_value) == 9000000000);
  CHECK(spec_of(specs, "toy.share").type == ParamType::Float);
  CHECK(std::get<double>(spec_of(specs, "toy.share").default_value) == 0.5);
  CHECK(spec_of(specs, "toy.share").long_doc == "a share, as the docs word it");
  CHECK(spec_of(specs, "toy.label").type == ParamType::String);
  CHECK(std::get<std::string>(spec_of(specs, "toy.label").default_value) == "toy");
  CHECK(spec_of(specs, "toy.dates").type == ParamType::DateList);
  CHECK(std::get<double>(spec_of(specs, "toy.rate").default_value) == 0.25);
  // An included part takes its defaults from the section's initialiser of that part.
  CHECK(std::get<double>(spec_of(specs, "toy.other_rate").default_value) == 0.75);
  CHECK(std::get<std::int64_t>(spec_of(specs, "toy.other_days").default_value) == 9);
  const ParamSpec& count = spec_of(specs, "toy.count");
  CHECK(count.min == 0);
  CHECK(count.max == 10);
  CHECK(count.unit == "things");
  CHECK(count.doc == "how many");
}

TEST_CASE("load() fills every bound member from the scenario, defaults where the file is silent",
          "[scenario][binder]") {
  const auto binder = toy_binder();
  const Scenario s = Scenario::parse("[toy]\ncount = 4\nshare = 0.125\nlabel = \"x\"\nrate = 0.5\nother_days = 2\n"
                                     "dates = [\"2024-01-02\", \"2024-01-03\"]\nenabled = false\n",
                                     "toy.toml", binder.specs());
  const Toy t = binder.load(s);
  CHECK(t.enabled == false);
  CHECK(t.count == 4);
  CHECK(t.big == 9000000000);
  CHECK(t.share == 0.125);
  CHECK(t.label == "x");
  CHECK(t.dates == std::vector<std::string>{"2024-01-02", "2024-01-03"});
  CHECK(t.terms.rate == 0.5);
  CHECK(t.terms.days == 3);
  CHECK(t.other.rate == 0.75);
  CHECK(t.other.days == 2);
  CHECK(t.unbound == 42);
  const Toy defaults = binder.load(Scenario::parse("", "empty", binder.specs()));
  CHECK(defaults.count == 7);
  CHECK(defaults.other.rate == 0.75);
}

TEST_CASE("a bound key's problems name the file, the key, what was wrong and what is allowed", "[scenario][binder]") {
  const auto specs = toy_binder().specs();
  try {
    Scenario::parse("[toy]\ncount = 50\nshare = \"half\"\nother_days = 1.5\n", "scenarios/toy.toml", specs);
    FAIL("no error");
  } catch (const ScenarioError& e) {
    REQUIRE(e.problems().size() == 3);
    CHECK(e.problems()[0] == "scenarios/toy.toml:2: key 'toy.count': 50 is out of range, allowed 0..10 (things)");
    CHECK(e.problems()[1] == "scenarios/toy.toml:3: key 'toy.share': number expected, got string \"half\"");
    CHECK(e.problems()[2] == "scenarios/toy.toml:4: key 'toy.other_days': integer expected, got float 1.5");
  }
  try {
    Scenario::parse("", "x", specs, {"toy.rate=2"});
    FAIL("no error");
  } catch (const ScenarioError& e) {
    CHECK_THAT(e.what(), Contains("--set toy.rate=2: key 'toy.rate': 2 is out of range, allowed 0..1 (1/year)"));
  }
}

TEST_CASE("binding mistakes are programming bugs, found when the binder is built", "[scenario][binder]") {
  struct Small {
    int n = 1;
    double x = 5;
  };
  ParamBinder<Small> b{"small"};
  // An int member cannot hold what the range allows.
  CHECK_THROWS_WITH(b.bind(&Small::n, "n", 0, 1e12, "", "too wide"), Contains("'small.n'") && Contains("integer type"));
  CHECK_THROWS_AS(ParamBinder<Small>{"small"}.long_doc("nothing bound"), std::logic_error);
  // A default outside its own range is refused by the parser's spec check, naming the key.
  ParamBinder<Small> out_of_range{"small"};
  out_of_range.bind(&Small::x, "x", 0, 1, "", "x");
  CHECK_THROWS_WITH(Scenario::parse("", "t", out_of_range.specs()),
                    Contains("'small.x'") && Contains("default out of range"));
}

TEST_CASE("top-level keys bind with an empty section", "[scenario][binder]") {
  struct Top {
    int days = 20;
  };
  ParamBinder<Top> b{""};
  b.bind(&Top::days, "days", 1, 5000, "trading days", "days");
  CHECK(b.specs().at(0).key == "days");
  CHECK(b.load(Scenario::parse("days = 3\n", "t", b.specs())).days == 3);
}
