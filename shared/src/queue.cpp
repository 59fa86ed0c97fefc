// The inbox list orders (parley/queue.hpp).
#include "parley/queue.hpp"

namespace parley {

int priority_rank(Priority p) {
  switch (p) {
    case Priority::urgent:
      return 0;
    case Priority::high:
      return 1;
    case Priority::normal:
      return 2;
    case Priority::low:
      return 3;
  }
  return 2;
}

bool queue_before(Priority pa, Millis handed_off_a, std::string_view id_a, Priority pb, Millis handed_off_b,
                  std::string_view id_b) {
  const int ra = priority_rank(pa), rb = priority_rank(pb);
  if (ra != rb) return ra < rb;
  if (handed_off_a != handed_off_b) return handed_off_a < handed_off_b;
  return id_a < id_b;
}

bool recent_before(Millis updated_a, std::string_view id_a, Millis updated_b, std::string_view id_b) {
  if (updated_a != updated_b) return updated_a > updated_b;
  return id_a < id_b;
}

}  // namespace parley
