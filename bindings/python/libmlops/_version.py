"""Version of the Python binding and the C ABI it was written for."""

__version__ = "0.1.0"

#: ABI major of libmlops this binding was written for (the library's soversion).
#: The loader refuses a library whose ``mlops_abi_major()`` differs.
EXPECTED_ABI_MAJOR = 0
