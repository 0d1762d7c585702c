// stampede schema: the run log's schema (sim/record/run_log_schema.hpp) for scripts and the docs.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli_common.hpp"
#include "sim/record/run_log_schema.hpp"

namespace stampede::cli {
namespace {

struct SchemaArgs {
  bool markdown = false;
  std::string doc;   // --doc: the markdown page whose dataset table to rewrite
};

// `schema --doc PAGE`: rewrites the page's marked dataset table (docs/hdf5-schema.md), leaving
// its prose alone; a page without the marked table is an error.
void write_schema_doc(const std::string& page) {
  std::ifstream in(page, std::ios::binary);
  if (!in) throw InputError("cannot read documentation page '" + page + "'");
  std::stringstream text;
  text << in.rdbuf();
  std::string updated;
  try {
    updated = with_schema_table(text.str());
  } catch (const std::runtime_error& e) {
    throw InputError(page + ": " + e.what());
  }
  const bool same = updated == text.str();
  if (!same) rewrite_file(page, updated);
  std::printf("%s: dataset table %s (%zu datasets)\n", page.c_str(), same ? "already up to date" : "rewritten",
              run_log_datasets().size());
}

}  // namespace

void add_schema_command(CLI::App& app) {
  auto args = std::make_shared<SchemaArgs>();
  CLI::App* cmd = app.add_subcommand(
      "schema", "Print the run log's schema: every dataset with its dims, dtype, units and long_name, and the event "
                "kinds (JSON; docs/hdf5-schema.md)");
  cmd->add_flag("--markdown", args->markdown, "Print the dataset table as markdown instead");
  cmd->add_option("--doc", args->doc,
                  "Rewrite the dataset table of this markdown page (docs/hdf5-schema.md) from the code's declarations");
  cmd->callback([args] {
    if (!args->doc.empty()) {
      if (args->markdown) throw InputError("stampede schema: --doc and --markdown exclude each other");
      write_schema_doc(args->doc);
    } else {
      std::fputs((args->markdown ? run_log_schema_markdown() : run_log_schema_json()).c_str(), stdout);
    }
  });
}

}  // namespace stampede::cli
