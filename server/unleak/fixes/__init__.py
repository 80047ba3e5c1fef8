"""Fixes: rewrites that release the resource and change nothing else.

`rewrite` holds the shared text helpers; `rewrite_blocks` and `rewrite_misc` build the fixes
the rules attach to their findings; `apply` applies them to source text.
"""
