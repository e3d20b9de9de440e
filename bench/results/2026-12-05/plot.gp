set terminal pngcairo size 1500,1000 font 'sans,10'
set output 'plot.png'
set multiplot layout 2,2 title 'ID-register sync cost vs vCPU count (2026-12-05, L1: ours, deb612)'
set logscale x 2
set xtics (1,2,4,8,16,32,64,128,256)
set grid
set xrange [0.8:80.0]
set key top left font ',8'
set xlabel 'vCPUs (N)'
set logscale y
set ylabel 'ioctls'
set title 'ID-register ONE\_REG ioctls per migration (save + load)'
plot 'plot.dat' index 0 using 1:2 with linespoints lc rgb '#d62728' dt 1 pt 7 lw 2 title 'ours upstream', 'plot.dat' index 1 using 1:2 with linespoints lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using 1:2 with linespoints lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 3 using 1:2 with linespoints lc rgb '#d62728' dt 2 pt 9 lw 2 title 'deb612 upstream', 'plot.dat' index 4 using 1:2 with linespoints lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
set logscale y
set ylabel 'ms'
set title 'ID-register sync wall time per migration (save + load; kprobe-timed)'
plot 'plot.dat' index 0 using 1:3 with linespoints lc rgb '#d62728' dt 1 pt 7 lw 2 title 'ours upstream', 'plot.dat' index 1 using 1:3 with linespoints lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using 1:3 with linespoints lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 3 using 1:3 with linespoints lc rgb '#d62728' dt 2 pt 9 lw 2 title 'deb612 upstream', 'plot.dat' index 4 using 1:3 with linespoints lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
unset logscale y
set yrange [0:*]
set title 'migration downtime (query-migrate, no kprobes): median, min-max'
plot 'plot.dat' index 0 using 1:17:18:19 with yerrorlines lc rgb '#d62728' dt 1 pt 7 lw 2 title 'ours upstream', 'plot.dat' index 1 using 1:17:18:19 with yerrorlines lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using 1:17:18:19 with yerrorlines lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 3 using 1:17:18:19 with yerrorlines lc rgb '#d62728' dt 2 pt 9 lw 2 title 'deb612 upstream', 'plot.dat' index 4 using 1:17:18:19 with yerrorlines lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
set logscale y
set yrange [*:*]
set ylabel 'bytes'
set title 'ID registers in the migration stream (analyze-migration.py)'
plot 'plot.dat' index 0 using 1:4 with linespoints lc rgb '#d62728' dt 1 pt 7 lw 2 title 'ours upstream', 'plot.dat' index 1 using 1:4 with linespoints lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using 1:4 with linespoints lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 3 using 1:4 with linespoints lc rgb '#d62728' dt 2 pt 9 lw 2 title 'deb612 upstream', 'plot.dat' index 4 using 1:4 with linespoints lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
unset multiplot
