// An indexing service in miniature, using only pith-merge's public headers: open a store, append
// the events of a bundle, read the subject's state, and poll the store-wide sequence.
//
//   store_example STORE_DIR BUNDLE.json
#include <fstream>
#include <iostream>
#include <sstream>

#include "pith/store.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: store_example STORE_DIR BUNDLE.json\n";
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  pith::Result<pith::json::Value> bundle = pith::json::Parse(text.str());
  if (!bundle.ok()) {
    std::cerr << argv[2] << ":" << bundle.status().message() << "\n";
    return 2;
  }
  const std::string subject = *bundle->FindString("pith_number");

  pith::Result<std::unique_ptr<pith::Store>> store = pith::Store::Open(argv[1], pith::StoreOptions{});
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  std::vector<pith::IncomingEvent> events;
  for (const pith::json::Value& e : bundle->Find("events")->items()) {
    events.push_back({subject, pith::json::Canonical(e), e});
  }
  pith::Result<pith::AppendSummary> summary = (*store)->Append(events);
  if (!summary.ok()) {
    std::cerr << summary.status().ToString() << "\n";
    return 1;
  }
  pith::Result<pith::MergedState> state = (*store)->State(subject);
  if (!state.ok()) {
    std::cerr << state.status().ToString() << "\n";
    return 1;
  }
  size_t polled = 0;
  pith::Status s = (*store)->ReadSince(0, [&](uint64_t, const std::string&, const std::string&) {
    ++polled;
    return pith::Status::OK();
  });
  if (!s.ok()) return 1;
  std::cout << "added " << summary->added << ", duplicates " << summary->duplicates << ", log entries " << polled
            << "\nstate_sha256 " << state->state_sha256 << "\n";
  return 0;
}
