// Internal: the order of merge-v1.md section 6. Kahn's topological sort over the event DAG (a
// Boost.Graph adjacency list with an edge R -> E when E names R in prev_event or supersedes),
// always placing next the ready event with the smallest (created_at, event_id).
#pragma once

#include <cstddef>
#include <vector>

#include "event_node.h"

namespace pith::merge_internal {

struct EventOrder {
  std::vector<size_t> placed;    // indices into the input, in order
  std::vector<size_t> unplaced;  // on or after a cycle, ascending
};

// Orders `nodes`; only references between members of `nodes` become edges.
EventOrder OrderEvents(const std::vector<const EventNode*>& nodes);

}  // namespace pith::merge_internal
