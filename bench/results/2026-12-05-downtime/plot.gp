set terminal pngcairo size 1500,600 font 'sans,10'
set output 'plot.png'
set multiplot layout 1,2 title 'Migration downtime, patched vs unpatched (2026-12-05, L1: ours, deb612)'
set logscale x 2
set xtics (1,2,4,8,16,32,64,128)
set grid
set xrange [0.8:80.0]
set key top left font ',8'
set xlabel 'vCPUs (N)'
set ylabel 'ms'
set yrange [0:*]
set title 'migration downtime (query-migrate): median, 95 % interval'
plot 'plot.dat' index 0 using ($1*0.94):2:3:4 with yerrorlines lc rgb '#d62728' dt 1 pt 7 lw 2 title 'ours upstream', 'plot.dat' index 1 using ($1*1.02):2:3:4 with yerrorlines lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using ($1*1.06):2:3:4 with yerrorlines lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 3 using ($1*0.94):2:3:4 with yerrorlines lc rgb '#d62728' dt 2 pt 9 lw 2 title 'deb612 upstream', 'plot.dat' index 4 using ($1*1.06):2:3:4 with yerrorlines lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
set ylabel 'patched / upstream'
set yrange [0:*]
set title 'ratio of median downtimes to upstream, 95 % bootstrap interval'
plot 1 with lines lc rgb '#808080' dt 2 notitle, 'plot.dat' index 1 using ($1*1.02):5:6:7 with yerrorlines lc rgb '#ff7f0e' dt 1 pt 7 lw 2 title 'ours patched-1vcpu', 'plot.dat' index 2 using ($1*1.06):5:6:7 with yerrorlines lc rgb '#1f77b4' dt 1 pt 7 lw 2 title 'ours patched', 'plot.dat' index 4 using ($1*1.06):5:6:7 with yerrorlines lc rgb '#1f77b4' dt 2 pt 9 lw 2 title 'deb612 patched'
unset multiplot
