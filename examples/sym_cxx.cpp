/*
 * sym_cxx - C++ functions with mangled names (namespace, class, template),
 * for demangling. Prints "name 0xADDR" for each, then works until its
 * standard input closes.
 */
#include <cstdio>
#include <unistd.h>

namespace shapes
{
template <typename T> struct Area {
	static __attribute__((noinline)) T compute(T x)
	{
		return x * x * 3.14159;
	}
};

class Widget
{
      public:
	static __attribute__((noinline)) int work(int n)
	{
		return n * 7 + Area<double>::compute(n) > 0;
	}
};

__attribute__((noinline)) long render(int n, double scale)
{
	return Widget::work(n) + (long)(scale * n);
}
} // namespace shapes

int main()
{
	char c;
	long total = 0;

	std::printf("shapes::render %p\n", (void *)&shapes::render);
	std::printf("shapes::Widget::work %p\n", (void *)&shapes::Widget::work);
	std::printf("shapes::Area<double>::compute %p\n",
	            (void *)&shapes::Area<double>::compute);
	std::fflush(stdout);
	while (read(0, &c, 1) > 0)
		total += shapes::render(c, 1.5);
	return total == 42;
}
