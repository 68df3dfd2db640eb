SELECT
  SUM(CASE WHEN "t5"."r0" THEN 1 ELSE 0 END) AS "n0",
  SUM(CASE WHEN "t5"."r1" THEN 1 ELSE 0 END) AS "n1",
  SUM(CASE WHEN "t5"."r2" THEN 1 ELSE 0 END) AS "n2",
  SUM(CASE WHEN "t5"."r3" THEN 1 ELSE 0 END) AS "n3"
FROM (
  SELECT
    "t4"."customer_id",
    "t4"."c0",
    "t4"."c1",
    "t4"."c2",
    "t4"."c3",
    "t4"."t0",
    TRUE AND (
      "t4"."c0" >= 1
    ) AS "r0",
    TRUE AND (
      "t4"."c0" >= 1
    ) AND (
      "t4"."c1" >= 1
    ) AS "r1",
    TRUE AND (
      "t4"."c0" >= 1
    ) AND (
      "t4"."c1" >= 1
    ) AND (
      "t4"."c2" >= 1
    ) AS "r2",
    TRUE
    AND (
      "t4"."c0" >= 1
    )
    AND (
      "t4"."c1" >= 1
    )
    AND (
      "t4"."c2" >= 1
    )
    AND (
      "t4"."c3" >= 1
    ) AS "r3"
  FROM (
    SELECT
      "t3"."customer_id",
      SUM(CASE WHEN "t3"."event" = 'visit' THEN 1 ELSE 0 END) AS "c0",
      SUM(CASE WHEN "t3"."event" = 'view' THEN 1 ELSE 0 END) AS "c1",
      SUM(CASE WHEN "t3"."event" = 'cart' THEN 1 ELSE 0 END) AS "c2",
      SUM(CASE WHEN "t3"."event" = 'purchase' THEN 1 ELSE 0 END) AS "c3",
      MIN("t3"."anchor") AS "t0"
    FROM (
      SELECT
        *
      FROM (
        SELECT
          "t1"."customer_id",
          "t1"."timestamp",
          "t1"."event",
          "t1"."channel",
          "t1"."event_seq",
          "t1"."row_number",
          MIN("t1"."timestamp") OVER (
            PARTITION BY "t1"."customer_id"
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          ) AS "anchor",
          (
            ROW_NUMBER() OVER (
              PARTITION BY "t1"."customer_id"
              ORDER BY "t1"."timestamp" ASC, "t1"."event_seq" ASC
              ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
            ) - 1
          ) = 0 AS "first"
        FROM (
          SELECT
            *
          FROM "events" AS "t0"
          WHERE
            "t0"."event" IN ('visit', 'view', 'cart', 'purchase')
        ) AS "t1"
      ) AS "t2"
      WHERE
        "t2"."timestamp" <= (
          "t2"."anchor" + INTERVAL '60000000' MICROSECOND
        )
    ) AS "t3"
    GROUP BY
      1
  ) AS "t4"
  WHERE
    TRUE AND (
      "t4"."c0" >= 1
    )
) AS "t5"
