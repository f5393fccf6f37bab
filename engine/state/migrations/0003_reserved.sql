-- Reserved for another change's migration; renumbered when merged.
SELECT 1;
