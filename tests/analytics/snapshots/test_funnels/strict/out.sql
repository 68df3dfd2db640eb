SELECT
  SUM(CASE WHEN "t5"."r0" THEN 1 ELSE 0 END) AS "n0",
  SUM(CASE WHEN "t5"."r1" THEN 1 ELSE 0 END) AS "n1",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t5"."t0", "t5"."t1") AS DOUBLE) / 1000000) AS "mean1",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t0", "t5"."t1") AS DOUBLE) / 1000000, 0.5) AS "median1",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t0", "t5"."t1") AS DOUBLE) / 1000000, 0.9) AS "p90_1",
  SUM(CASE WHEN "t5"."r2" THEN 1 ELSE 0 END) AS "n2",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t5"."t1", "t5"."t2") AS DOUBLE) / 1000000) AS "mean2",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t1", "t5"."t2") AS DOUBLE) / 1000000, 0.5) AS "median2",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t1", "t5"."t2") AS DOUBLE) / 1000000, 0.9) AS "p90_2",
  SUM(CASE WHEN "t5"."r3" THEN 1 ELSE 0 END) AS "n3",
  AVG(CAST(DATE_DIFF('MICROSECOND', "t5"."t2", "t5"."t3") AS DOUBLE) / 1000000) AS "mean3",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t2", "t5"."t3") AS DOUBLE) / 1000000, 0.5) AS "median3",
  QUANTILE_CONT(CAST(DATE_DIFF('MICROSECOND', "t5"."t2", "t5"."t3") AS DOUBLE) / 1000000, 0.9) AS "p90_3"
FROM (
  SELECT
    "t4"."customer_id",
    "t4"."timestamp",
    "t4"."event_seq",
    "t4"."e0",
    CASE WHEN "t4"."r0" THEN "t4"."t0" ELSE CAST(NULL AS TIMESTAMP) END AS "t0",
    "t4"."e1",
    CASE WHEN "t4"."r1" THEN "t4"."t1" ELSE CAST(NULL AS TIMESTAMP) END AS "t1",
    "t4"."e2",
    CASE WHEN "t4"."r2" THEN "t4"."t2" ELSE CAST(NULL AS TIMESTAMP) END AS "t2",
    "t4"."e3",
    CASE WHEN "t4"."r3" THEN "t4"."t3" ELSE CAST(NULL AS TIMESTAMP) END AS "t3",
    "t4"."r0",
    "t4"."r1",
    "t4"."r2",
    "t4"."r3",
    "t4"."length"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t2"."customer_id",
        "t2"."timestamp",
        "t2"."event_seq",
        "t2"."e0",
        "t2"."t0",
        "t2"."e1",
        "t2"."t1",
        "t2"."e2",
        "t2"."t2",
        "t2"."e3",
        "t2"."t3",
        "t2"."r0",
        "t2"."r1",
        "t2"."r2",
        "t2"."r3",
        CASE WHEN "t2"."r0" THEN 1 ELSE 0 END + 0 + CASE WHEN "t2"."r1" THEN 1 ELSE 0 END + CASE WHEN "t2"."r2" THEN 1 ELSE 0 END + CASE WHEN "t2"."r3" THEN 1 ELSE 0 END AS "length"
      FROM (
        SELECT
          "t1"."customer_id",
          "t1"."timestamp",
          "t1"."event_seq",
          "t1"."e0",
          "t1"."t0",
          "t1"."e1",
          "t1"."t1",
          "t1"."e2",
          "t1"."t2",
          "t1"."e3",
          "t1"."t3",
          TRUE AS "r0",
          TRUE
          AND COALESCE((
            "t1"."e1" = 'view'
          ) AND (
            "t1"."t1" > "t1"."t0"
          ), FALSE) AS "r1",
          TRUE
          AND COALESCE((
            "t1"."e1" = 'view'
          ) AND (
            "t1"."t1" > "t1"."t0"
          ), FALSE)
          AND COALESCE((
            "t1"."e2" = 'cart'
          ) AND (
            "t1"."t2" > "t1"."t1"
          ), FALSE) AS "r2",
          TRUE
          AND COALESCE((
            "t1"."e1" = 'view'
          ) AND (
            "t1"."t1" > "t1"."t0"
          ), FALSE)
          AND COALESCE((
            "t1"."e2" = 'cart'
          ) AND (
            "t1"."t2" > "t1"."t1"
          ), FALSE)
          AND COALESCE((
            "t1"."e3" = 'purchase'
          ) AND (
            "t1"."t3" > "t1"."t2"
          ), FALSE) AS "r3"
        FROM (
          SELECT
            "t0"."customer_id",
            "t0"."timestamp",
            "t0"."event_seq",
            "t0"."event" AS "e0",
            "t0"."timestamp" AS "t0",
            LEAD("t0"."event", 1) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "e1",
            LEAD("t0"."timestamp", 1) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "t1",
            LEAD("t0"."event", 2) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "e2",
            LEAD("t0"."timestamp", 2) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "t2",
            LEAD("t0"."event", 3) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "e3",
            LEAD("t0"."timestamp", 3) OVER (
              PARTITION BY "t0"."customer_id"
              ORDER BY "t0"."timestamp" ASC, "t0"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) AS "t3"
          FROM "events" AS "t0"
        ) AS "t1"
        WHERE
          "t1"."e0" = 'visit'
      ) AS "t2"
    ) AS "t3"
    QUALIFY
      (
        ROW_NUMBER() OVER (
          PARTITION BY "t3"."customer_id"
          ORDER BY "t3"."length" DESC, "t3"."timestamp" ASC, "t3"."event_seq" ASC
          ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
        ) - 1
      ) = 0
  ) AS "t4"
) AS "t5"
