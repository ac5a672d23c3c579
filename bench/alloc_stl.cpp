/*
 * alloc_stl - STL-heavy C++ allocation benchmark: an
 * unordered_map<string, vector<int>> filled and pruned in rounds (keys
 * long enough to leave the small-string buffer, vectors grown by
 * push_back, every other key erased each round), -O2. Prints a checksum.
 * usage: alloc_stl [ROUNDS [KEYS]]   (40, 50000)
 */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

typedef std::unordered_map<std::string, std::vector<int>> table;

static std::string key_of(uint64_t k)
{
	return "session-key-" + std::to_string(k) + "-" +
	       std::to_string(k * 2654435761u % 100000);
}

__attribute__((noinline)) static void fill(table &t, int round, int keys)
{
	for (int i = 0; i < keys; i++) {
		uint64_t k =
		        (uint64_t)(i * 7 + round * 13) % (uint64_t)(keys * 2);
		std::vector<int> &v = t[key_of(k)];
		for (int j = 0; j < 1 + (i + round) % 9; j++)
			v.push_back(i + j);
	}
}

__attribute__((noinline)) static uint64_t prune(table &t, int round)
{
	uint64_t sum = 0;

	for (auto it = t.begin(); it != t.end();) {
		sum += it->second.size() + it->first.size();
		if ((it->second.size() + (size_t)round) % 2 == 0)
			it = t.erase(it);
		else
			++it;
	}
	return sum;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 40;
	int keys = argc > 2 ? atoi(argv[2]) : 50000;
	table t;
	uint64_t sum = 0;

	for (int r = 0; r < rounds; r++) {
		fill(t, r, keys);
		sum += prune(t, r);
	}
	printf("stl %d %d %llu\n", rounds, keys, (unsigned long long)sum);
	return 0;
}
