// alloc_counts_cxx - C++ allocations with known counts: new/delete,
// new[]/delete[], and a leak, seen by the shim through malloc and free.
//   new_site        6 x new Obj (48 bytes), deleted
//   new_array_site  2 x new int[25] (100 bytes), deleted
//   cxx_leak        3 x new Obj (48 bytes), never deleted
#include <cstdio>
#include <cstring>

struct Obj {
	char data[48];
};

#define NOINLINE __attribute__((noinline))

Obj *volatile sink;
int *volatile isink;

static NOINLINE void new_site()
{
	Obj *v[6];
	for (auto &o : v) {
		o = new Obj;
		std::memset(o->data, 1, sizeof(o->data));
		sink = o;
	}
	for (auto o : v)
		delete o;
}

static NOINLINE void new_array_site()
{
	for (int i = 0; i < 2; i++) {
		int *a = new int[25];
		a[3] = i;
		isink = a;
		delete[] a;
	}
}

static NOINLINE void cxx_leak()
{
	for (int i = 0; i < 3; i++)
		sink = new Obj;
}

int main()
{
	new_site();
	new_array_site();
	cxx_leak();
	std::puts("alloc_counts_cxx done");
	return 0;
}
