"""Placeholder: says honestly what this page will hold once it is built."""

from lib import runtime

runtime.placeholder("chain_of_thought")
