// SPDX-License-Identifier: GPL-2.0
/*
 * Linked with one layer's every object and only the layers on its left
 * (CMakeLists.txt): it builds only while no layer calls one on its right.
 */
int main(void)
{
	return 0;
}
