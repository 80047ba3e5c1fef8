"""The pipeline the front ends run: analyse a text, run the rules, attach the fixes; the fix
loop; the live analysis of an edited document."""
