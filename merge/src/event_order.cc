#include "event_order.h"

#include <algorithm>
#include <functional>
#include <numeric>
#include <queue>
#include <unordered_map>

#include <boost/graph/adjacency_list.hpp>

namespace pith::merge_internal {

EventOrder OrderEvents(const std::vector<const EventNode*>& nodes) {
  const size_t n = nodes.size();
  // Rank every node by (created_at, event_id): the tie-break of Kahn's algorithm.
  std::vector<size_t> by_key(n);
  std::iota(by_key.begin(), by_key.end(), 0);
  std::sort(by_key.begin(), by_key.end(), [&nodes](size_t a, size_t b) {
    if (nodes[a]->created_at != nodes[b]->created_at) return nodes[a]->created_at < nodes[b]->created_at;
    return nodes[a]->event_id < nodes[b]->event_id;
  });
  std::vector<size_t> rank(n);
  for (size_t r = 0; r < n; ++r) rank[by_key[r]] = r;

  // Lookup only (never iterated), so hash order cannot leak into the output.
  std::unordered_map<std::string_view, size_t> index_of;
  index_of.reserve(n);
  for (size_t i = 0; i < n; ++i) index_of.emplace(nodes[i]->event_id, i);

  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  Graph graph(n);
  auto add_edge_from = [&](std::string_view from_id, size_t to) {
    if (auto it = index_of.find(from_id); it != index_of.end()) boost::add_edge(it->second, to, graph);
  };
  for (size_t i = 0; i < n; ++i) {
    if (nodes[i]->prev_event) add_edge_from(*nodes[i]->prev_event, i);
    for (std::string_view s : nodes[i]->supersedes) add_edge_from(s, i);
  }

  std::vector<size_t> waiting(n);
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;  // ranks
  for (size_t i = 0; i < n; ++i) {
    waiting[i] = boost::in_degree(i, graph);
    if (waiting[i] == 0) ready.push(rank[i]);
  }
  EventOrder out;
  out.placed.reserve(n);
  while (!ready.empty()) {
    size_t v = by_key[ready.top()];
    ready.pop();
    out.placed.push_back(v);
    for (auto [e, end] = boost::out_edges(v, graph); e != end; ++e) {
      size_t w = boost::target(*e, graph);
      if (--waiting[w] == 0) ready.push(rank[w]);
    }
  }
  if (out.placed.size() < n) {
    std::vector<bool> done(n, false);
    for (size_t v : out.placed) done[v] = true;
    for (size_t i = 0; i < n; ++i) {
      if (!done[i]) out.unplaced.push_back(i);
    }
  }
  return out;
}

}  // namespace pith::merge_internal
