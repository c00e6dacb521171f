from setuptools import Extension, setup

FLAGS = ["-O3", "-std=c11"]
setup(ext_modules=[
    Extension("watlinks", ["watlinks.c"], extra_compile_args=FLAGS),
    Extension("wathrefs", ["wathrefs.c"], extra_compile_args=FLAGS),
])
